import { Alert, Button, Code, Group, Modal, Stack, Text } from '@mantine/core';
import { IconGitMerge } from '@tabler/icons-react';
import { prettyJson } from '../../format';

/**
 * A save refused with `conflict`: someone changed the value since it was
 * loaded. Nothing was written; this shows what is stored now.
 */
export function ConflictModal({
  opened,
  what,
  current,
  reloading,
  onReload,
  onClose,
}: {
  opened: boolean;
  what: string;
  current: string | null;
  reloading?: boolean;
  onReload: () => void;
  onClose: () => void;
}) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      size="lg"
      title={
        <Group gap="xs">
          <IconGitMerge size={20} color="var(--mantine-color-orange-6)" />
          <Text fw={600} size="lg">
            Changed elsewhere
          </Text>
        </Group>
      }
    >
      <Stack gap="md" data-testid="conflict-modal">
        <Alert color="orange" variant="light">
          <Text size="sm">
            The {what} changed since you loaded them, so your save was refused and <b>nothing was overwritten</b>. Reload to
            see the current value, then apply your change again.
          </Text>
        </Alert>
        <div>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600} lts={0.4} mb={4}>
            Stored now
          </Text>
          {current === null ? (
            <Text size="sm" c="dimmed" data-testid="conflict-current">
              Nothing: the value was removed.
            </Text>
          ) : (
            <Code block data-testid="conflict-current" style={{ maxHeight: 280, overflow: 'auto' }}>
              {prettyJson(current)}
            </Code>
          )}
        </div>
        <Group justify="flex-end" gap="sm">
          <Button variant="subtle" color="gray" onClick={onClose} data-testid="conflict-keep">
            Keep my edits
          </Button>
          <Button onClick={onReload} loading={reloading} data-testid="conflict-reload">
            Reload
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
