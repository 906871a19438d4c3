import { Alert, Box, Code, Collapse, Group, Stack, Text, UnstyledButton } from '@mantine/core';
import { IconAlertTriangle, IconChevronRight, IconDatabase } from '@tabler/icons-react';
import { useQueries } from '@tanstack/react-query';
import { useState } from 'react';
import * as backend from '../../backend';
import type { PluginData } from '../../backend';
import { EmptyState, Section, SectionError, SectionSkeleton } from '../../components/Section';
import { formatCount, plural, prettyJson } from '../../format';
import { queryKeys } from '../../queries';
import { PLUGIN_DATA_PAGE_SIZE, usePluginCollections } from './useUser';

/** Every plugin collection's documents for the user, one section each. */
export function PluginDataSections({ userId }: { userId: string }) {
  const collections = usePluginCollections();
  const names = collections.data ?? [];
  const data = useQueries({
    queries: names.map((collection) => ({
      queryKey: queryKeys.userPluginData(userId, collection),
      queryFn: () => backend.userPluginData(userId, collection, PLUGIN_DATA_PAGE_SIZE),
    })),
  });

  if (collections.isPending || collections.isError || names.length === 0) {
    return (
      <Section title="Plugin data" icon={<IconDatabase size={16} />} testId="section-plugin-data">
        {collections.isPending ? (
          <SectionSkeleton lines={3} testId="plugin-collections-loading" />
        ) : collections.isError ? (
          <SectionError error={collections.error} onRetry={() => void collections.refetch()} testId="plugin-collections-error" />
        ) : (
          <EmptyState testId="plugin-collections-empty">This database has no plugin collections.</EmptyState>
        )}
      </Section>
    );
  }

  return (
    <Stack gap="md" data-testid="section-plugin-data">
      {names.map((collection, i) => {
        const q = data[i];
        return (
          <Section
            key={collection}
            title={
              <Text span ff="monospace" fw={600} size="sm">
                {collection}
              </Text>
            }
            icon={<IconDatabase size={16} />}
            meta={q.data && (q.data.count !== null ? plural(q.data.count, 'document') : 'count unknown')}
            testId="plugin-data"
          >
            <Box data-collection={collection}>
              {q.isPending ? (
                <SectionSkeleton lines={2} testId="plugin-data-loading" />
              ) : q.isError ? (
                <SectionError error={q.error} onRetry={() => void q.refetch()} testId="plugin-data-error" />
              ) : (
                <PluginDocuments data={q.data} />
              )}
            </Box>
          </Section>
        );
      })}
    </Stack>
  );
}

function PluginDocuments({ data }: { data: PluginData }) {
  const hidden = data.object_id_typed ?? 0;
  return (
    <Stack gap="sm">
      {hidden > 0 && (
        <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} data-testid="object-id-finding">
          <Text size="sm">
            {plural(hidden, 'document')} {hidden === 1 ? 'stores' : 'store'} this user’s id as an ObjectId instead of a string
            (data finding; not shown).
          </Text>
        </Alert>
      )}
      {data.documents.length === 0 ? (
        <EmptyState>No documents for this user.</EmptyState>
      ) : (
        <>
          <Stack gap={4}>
            {data.documents.map((doc, i) => (
              <JsonDocument key={i} json={doc} />
            ))}
          </Stack>
          {data.count !== null && data.count > data.documents.length && (
            <Text size="xs" c="dimmed">
              Showing the newest {formatCount(data.documents.length)} of {formatCount(data.count)}.
            </Text>
          )}
        </>
      )}
    </Stack>
  );
}

/** `{"$oid": "…"}` → `…`; other Extended JSON wrappers stay as they are. */
function scalar(v: unknown): string | null {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (typeof o.$oid === 'string') return o.$oid;
    if (typeof o.$date === 'string') return o.$date;
  }
  if (Array.isArray(v)) return `[${v.length}]`;
  return null;
}

/** A one-line preview: `_id` then the plain fields (`user_id` is the same everywhere). */
export function documentSummary(json: string): { id: string | null; fields: string } {
  try {
    const doc = JSON.parse(json) as Record<string, unknown>;
    const fields = Object.entries(doc)
      .filter(([k]) => k !== '_id' && k !== 'user_id')
      .map(([k, v]) => {
        const s = scalar(v);
        return s === null ? `${k}: {…}` : `${k}: ${s}`;
      })
      .join('  ·  ');
    return { id: scalar(doc._id), fields };
  } catch {
    return { id: null, fields: json };
  }
}

/** One document, collapsed to a single line until opened. */
function JsonDocument({ json }: { json: string }) {
  const [open, setOpen] = useState(false);
  const { id, fields } = documentSummary(json);
  return (
    <Box
      style={{
        border: '1px solid var(--mantine-color-default-border)',
        borderRadius: 'var(--mantine-radius-sm)',
      }}
      data-testid="plugin-document"
    >
      <UnstyledButton onClick={() => setOpen((o) => !o)} w="100%" px="xs" py={6} aria-expanded={open}>
        <Group gap={10} wrap="nowrap">
          <IconChevronRight
            size={14}
            style={{ flexShrink: 0, transform: open ? 'rotate(90deg)' : undefined, transition: 'transform 120ms' }}
          />
          {id && (
            <Text size="xs" ff="monospace" c="dimmed" style={{ flexShrink: 0 }}>
              {id}
            </Text>
          )}
          <Text size="xs" ff="monospace" truncate="end">
            {fields}
          </Text>
        </Group>
      </UnstyledButton>
      <Collapse in={open}>
        {open && (
          <Code block style={{ borderRadius: 0, borderTop: '1px solid var(--mantine-color-default-border)', maxHeight: 360, overflow: 'auto' }}>
            {prettyJson(json)}
          </Code>
        )}
      </Collapse>
    </Box>
  );
}
