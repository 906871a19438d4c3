import { Alert, Button, Code, Group, Modal, Progress, Stack, Table, Text } from '@mantine/core';
import { IconCircleCheck, IconFileExport } from '@tabler/icons-react';
import type { UseMutationResult } from '@tanstack/react-query';
import type { ExportProgress, ExportReport } from '../../backend';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatCount } from '../../format';

/** Progress and result of an export already started (the file was chosen). */
export function ExportModal({
  opened,
  path,
  progress,
  expected,
  run,
  onClose,
}: {
  opened: boolean;
  path: string | null;
  progress: ExportProgress[];
  /** How many collections the export goes through, when known. */
  expected: number | null;
  run: UseMutationResult<ExportReport, Error, string>;
  onClose: () => void;
}) {
  const running = run.isPending;
  const pct = expected ? Math.min(100, (progress.length / expected) * 100) : running ? 100 : 0;
  const total = (run.data?.collections ?? []).reduce((s, c) => s + (c.count ?? 0), 0);
  return (
    <Modal
      opened={opened}
      onClose={() => !running && onClose()}
      closeOnClickOutside={!running}
      withCloseButton={!running}
      title={
        <Group gap="xs">
          <IconFileExport size={20} />
          <Text fw={600} size="lg">
            Export user data
          </Text>
        </Group>
      }
      size="md"
    >
      <Stack gap="md" data-testid="export-modal">
        {path && (
          <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
            To <Code>{path}</Code>
          </Text>
        )}
        {running && (
          <Stack gap={6} data-testid="export-progress">
            <Progress value={pct} animated striped={expected === null} size="sm" />
            <Text size="xs" c="dimmed">
              {progress.length === 0 ? 'Reading the user…' : `Exported ${progress[progress.length - 1].collection}…`}
            </Text>
          </Stack>
        )}
        {(running || run.isSuccess) && progress.length > 0 && (
          <Table verticalSpacing={4} data-testid="export-collections">
            <Table.Tbody>
              {(run.data?.collections.map((c) => ({ collection: c.collection, documents: c.count })) ?? progress).map((p) => (
                <Table.Tr key={p.collection}>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {p.collection}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right" style={{ fontVariantNumeric: 'tabular-nums' }}>
                    {p.documents !== null ? formatCount(p.documents) : '—'}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {run.isSuccess && (
          <Alert color="teal" variant="light" icon={<IconCircleCheck size={18} />} title="Export written" data-testid="export-done">
            <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
              {formatCount(total)} documents and the user record (password hash left out, secrets redacted) in{' '}
              <Code>{run.data.path}</Code>.
            </Text>
          </Alert>
        )}
        {run.isError && <ErrorAlert error={run.error} testId="export-error" />}
        <Group justify="flex-end">
          <Button onClick={onClose} disabled={running} variant={run.isSuccess ? 'filled' : 'default'} data-testid="export-close">
            {running ? 'Exporting…' : 'Close'}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
