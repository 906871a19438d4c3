import { Button, Group, Loader, Menu, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDownload } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import * as backend from '../backend';
import type { ExportFormat, ExportTarget, TableExportProgress, TableExportReport } from '../backend';
import { formatCount, plural } from '../format';
import { runningExports, useRunningExports } from './runningExports';

const FORMATS: { format: ExportFormat; label: string }[] = [
  { format: 'json', label: 'JSON (canonical Extended JSON)' },
  { format: 'json_lines', label: 'JSON, one document per line' },
  { format: 'csv', label: 'CSV (dotted columns)' },
];

/** Starts one export to the chosen target; the backend streams progress. */
export type RunExport = (target: ExportTarget, onProgress: (p: TableExportProgress) => void) => Promise<TableExportReport>;

/**
 * Exports every row a table's filters match (not only the page shown) to
 * a file the native save dialog chose, with progress and a cancel that
 * leaves no file behind. `name` is the file's suggested name (and how the
 * header names the run), `runKey` tells this table from any other, `what` says
 * what is exported, and `noun` names one row (`[singular, plural]`).
 */
export function ExportMenu({
  name,
  runKey,
  what,
  noun,
  run,
  testId = 'export',
}: {
  name: string;
  /** Which table this is, app-wide (its run is found again by it). */
  runKey: string;
  what: string;
  noun: [string, string];
  run: RunExport;
  testId?: string;
}) {
  /** This table's export under way (kept app-wide: it outlives the screen), which Cancel stops. */
  const running = useRunningExports().find((r) => r.key === runKey);
  const start = useMutation({
    mutationFn: async (format: ExportFormat) => {
      const path = await backend.chooseTableExportPath(name, format);
      if (path === null) return null;
      const runId = crypto.randomUUID();
      runningExports.start({ runId, key: runKey, table: name, what });
      try {
        return await run({ path, format, run_id: runId }, (p) => runningExports.progress(runId, p.documents));
      } finally {
        runningExports.end(runId);
      }
    },
    onSuccess: (report) => {
      if (!report) return;
      notifications.show(
        report.cancelled
          ? { color: 'gray', title: 'Export cancelled', message: 'No file was written.' }
          : { color: 'teal', title: 'Exported', message: `${plural(report.documents, ...noun)} to ${report.path}` },
      );
    },
  });

  if (running) {
    return (
      <Group gap="xs" data-testid={`${testId}-progress`}>
        <Loader size="xs" />
        <Text size="xs" c="dimmed">
          {formatCount(running.written)} written
        </Text>
        <Button size="xs" variant="default" onClick={() => void backend.cancelRun(running.runId)} data-testid={`${testId}-cancel`}>
          Cancel
        </Button>
      </Group>
    );
  }
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button size="xs" variant="default" leftSection={<IconDownload size={14} />} loading={start.isPending} data-testid={`${testId}-menu`}>
          Export
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{what}</Menu.Label>
        {FORMATS.map(({ format, label }) => (
          <Menu.Item key={format} onClick={() => start.mutate(format)} data-testid={`${testId}-${format}`}>
            {label}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
