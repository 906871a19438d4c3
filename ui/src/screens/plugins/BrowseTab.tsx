import { Checkbox, Group, Select, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import * as backend from '../../backend';
import { EmptyState, SectionError, SectionSkeleton } from '../../components/Section';
import { WriteButton } from '../../components/WriteButton';
import { formatBulkResult, formatCount, plural } from '../../format';
import { queryKeys } from '../../queries';
import { JsonDocument } from '../../components/JsonDocument';
import { ExportMenu } from '../../components/ExportMenu';
import { PLUGIN_DATA_PAGE_SIZE } from '../user360/useUser';
import { UserPicker, type PickedUser } from '../notifications/UserPicker';
import { usePluginSchema } from './usePluginSchema';

/** The hex of a document's ObjectId `_id`; null for any other `_id`. */
export function objectIdOf(json: string): string | null {
  try {
    const id = (JSON.parse(json) as { _id?: unknown })._id;
    if (id && typeof id === 'object' && typeof (id as { $oid?: unknown }).$oid === 'string') return (id as { $oid: string }).$oid;
  } catch {
    // An unreadable document cannot be selected.
  }
  return null;
}

export function BrowseTab({ collection }: { collection: string }) {
  const [user, setUser] = useState<PickedUser | null>(null);
  return (
    <Stack gap="sm">
      <UserPicker label="User" value={user} onChange={setUser} testId="browse-user" />
      {user ? (
        <UserDocuments key={user.id} userId={user.id} collection={collection} />
      ) : (
        <EmptyState testId="browse-no-user">Pick a user to see their documents in this collection.</EmptyState>
      )}
    </Stack>
  );
}

function UserDocuments({ userId, collection }: { userId: string; collection: string }) {
  const client = useQueryClient();
  const data = useQuery({
    queryKey: queryKeys.userPluginData(userId, collection),
    queryFn: () => backend.userPluginData(userId, collection, PLUGIN_DATA_PAGE_SIZE),
  });
  const schema = usePluginSchema(collection);
  const [selected, setSelected] = useState<Set<string>>(() => new Set());
  const [status, setStatus] = useState<string | null>(null);

  const setStatusRun = useMutation({
    mutationFn: ({ ids, status }: { ids: string[]; status: string }) => backend.setPluginStatus(userId, collection, ids, status),
    onSuccess: (r) => {
      notifications.show({ color: 'teal', title: 'Status set', message: formatBulkResult(r) });
      setSelected(new Set());
      void client.invalidateQueries({ queryKey: queryKeys.userPluginData(userId, collection) });
      void client.invalidateQueries({ queryKey: queryKeys.pluginSchema(collection) });
    },
  });

  if (data.isPending) return <SectionSkeleton lines={3} testId="browse-loading" />;
  if (data.isError) return <SectionError error={data.error} onRetry={() => void data.refetch()} testId="browse-error" />;
  const docs = data.data.documents;
  const statuses = schema.data?.status_values ?? [];
  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  return (
    <Stack gap="sm" data-testid="browse-documents">
      <Group gap="xs" align="flex-end" wrap="wrap">
        <Select
          size="xs"
          w={180}
          label="Status"
          placeholder={statuses.length ? 'Pick a status' : 'No status values sampled'}
          data={statuses}
          value={status}
          onChange={setStatus}
          disabled={statuses.length === 0}
          comboboxProps={{ withinPortal: false }}
          data-testid="browse-status"
        />
        <WriteButton
          size="xs"
          blockedBy={selected.size === 0 ? 'Select documents first' : status === null ? 'Pick a status first' : null}
          loading={setStatusRun.isPending}
          onClick={() => status && setStatusRun.mutate({ ids: [...selected], status })}
          data-testid="browse-set-status"
        >
          Set status{selected.size > 0 ? ` of ${plural(selected.size, 'document')}` : ''}
        </WriteButton>
        <ExportMenu
          name={`${collection}-${userId}`}
          runKey={`plugin:${collection}/${userId}`}
          what="Every document of this user here"
          noun={['document', 'documents']}
          run={(target, onProgress) => backend.exportPluginDocuments(userId, collection, target, onProgress)}
          testId="browse-export"
        />
      </Group>
      {docs.length === 0 ? (
        <EmptyState testId="browse-empty">No documents for this user.</EmptyState>
      ) : (
        <Stack gap={4}>
          {docs.map((json, i) => (
            <SelectableDocument key={objectIdOf(json) ?? i} json={json} selected={selected} onToggle={toggle} />
          ))}
        </Stack>
      )}
      {data.data.count !== null && data.data.count > docs.length && (
        <Text size="xs" c="dimmed">
          Showing the newest {formatCount(docs.length)} of {formatCount(data.data.count)}.
        </Text>
      )}
    </Stack>
  );
}

function SelectableDocument({ json, selected, onToggle }: { json: string; selected: ReadonlySet<string>; onToggle: (id: string) => void }) {
  const id = objectIdOf(json);
  return (
    <JsonDocument
      json={json}
      testId="browse-document"
      leading={
        <Checkbox
          size="xs"
          checked={id !== null && selected.has(id)}
          disabled={id === null}
          onChange={() => id && onToggle(id)}
          aria-label={`Select ${id ?? 'document'}`}
          data-testid="browse-select"
        />
      }
    />
  );
}
