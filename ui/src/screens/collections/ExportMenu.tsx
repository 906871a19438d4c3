import { Button, Group, Loader, Menu, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDownload } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import * as backend from '../../backend';
import type { ExportFormat, PlatformDatabase, QueryInput } from '../../backend';
import { formatCount } from '../../format';

const FORMATS: { format: ExportFormat; label: string }[] = [
  { format: 'json', label: 'JSON (canonical Extended JSON)' },
  { format: 'json_lines', label: 'JSON, one document per line' },
  { format: 'csv', label: 'CSV (dotted columns)' },
];

/**
 * Exports every document the query matches (not only the page shown) to a
 * file the native save dialog chose, with progress and a cancel that
 * leaves no file behind.
 */
export function ExportMenu({ database, collection, query }: { database: PlatformDatabase; collection: string; query: QueryInput }) {
  const [written, setWritten] = useState(0);
  /** The export under way, which Cancel stops. */
  const [runId, setRunId] = useState<string | null>(null);
  const run = useMutation({
    mutationFn: async (format: ExportFormat) => {
      const path = await backend.chooseQueryExportPath(collection, format);
      if (path === null) return null;
      const id = crypto.randomUUID();
      setWritten(0);
      setRunId(id);
      return backend.exportQuery(database, collection, query, format, path, id, (p) => setWritten(p.documents));
    },
    onSettled: () => setRunId(null),
    onSuccess: (report) => {
      if (!report) return;
      notifications.show(
        report.cancelled
          ? { color: 'gray', title: 'Export cancelled', message: 'No file was written.' }
          : { color: 'teal', title: 'Exported', message: `${formatCount(report.documents)} documents to ${report.path}` },
      );
    },
  });

  if (runId !== null) {
    return (
      <Group gap="xs" data-testid="export-progress">
        <Loader size="xs" />
        <Text size="xs" c="dimmed">
          {formatCount(written)} written
        </Text>
        <Button size="xs" variant="default" onClick={() => void backend.cancelRun(runId)} data-testid="export-cancel">
          Cancel
        </Button>
      </Group>
    );
  }
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button size="xs" variant="default" leftSection={<IconDownload size={14} />} loading={run.isPending} data-testid="export-menu">
          Export
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Every document the query matches</Menu.Label>
        {FORMATS.map(({ format, label }) => (
          <Menu.Item key={format} onClick={() => run.mutate(format)} data-testid={`export-${format}`}>
            {label}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
