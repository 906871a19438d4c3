import { Badge, Button, Group, Popover, Stack, Text } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import * as backend from '../backend';
import { formatCount, plural } from '../format';
import { useRunningExports } from './runningExports';

/** The header's note of exports under way, each with its Cancel, wherever the admin has gone since. */
export function RunningExports() {
  const runs = useRunningExports();
  if (runs.length === 0) return null;
  return (
    <Popover position="bottom" withArrow shadow="md">
      <Popover.Target>
        <Badge
          component="button"
          variant="light"
          leftSection={<IconDownload size={12} />}
          style={{ cursor: 'pointer' }}
          data-testid="running-exports"
        >
          Exporting {plural(runs.length, 'table')}
        </Badge>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs">
          {runs.map((run) => (
            <Group key={run.runId} gap="sm" justify="space-between" wrap="nowrap" data-testid="running-export">
              <div>
                <Text size="sm" fw={500}>
                  {run.table}
                </Text>
                <Text size="xs" c="dimmed">
                  {run.what}: {formatCount(run.written)} written
                </Text>
              </div>
              <Button size="xs" variant="default" onClick={() => void backend.cancelRun(run.runId)} data-testid="running-export-cancel">
                Cancel
              </Button>
            </Group>
          ))}
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
