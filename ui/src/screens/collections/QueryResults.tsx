import { ActionIcon, Button, Code, Group, NumberInput, Paper, SegmentedControl, Stack, Table, Text, TextInput, Tooltip, UnstyledButton } from '@mantine/core';
import { IconPlayerPlay, IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo, useRef, useState, type FormEvent } from 'react';
import * as backend from '../../backend';
import type { QueryInput } from '../../backend';
import { MAX_PAGE, MAX_SKIP } from '../../bindings';
import { ErrorAlert } from '../../components/ErrorAlert';
import { WriteButton } from '../../components/WriteButton';
import { VirtualTable } from '../../components/VirtualTable';
import { describeFailure, isBackendError } from '../../errors';
import { formatTotal } from '../../format';
import { queryKeys } from '../../queries';
import type { Browsing } from './CollectionsScreen';
import { DocumentEditor, OpenDocument } from './DocumentEditor';
import { ExplainPanel } from './ExplainPanel';
import { ExportMenu } from '../../components/ExportMenu';
import { HistoryMenu } from './HistoryMenu';
import { QueryHints } from './QueryHints';
import { toExtendedJson } from './queryText';
import { cellText, shellText, type Json } from './shellText';

type Part = 'filter' | 'projection' | 'sort';
const PARTS: Part[] = ['filter', 'projection', 'sort'];
const PLACEHOLDERS: Record<Part, string> = {
  filter: '{ status: "todo", created_at: { $gt: ISODate("2026-01-01") } }',
  projection: '{ title: 1, status: 1 }',
  sort: '{ _id: -1 }',
};
const DEFAULT_LIMIT = 50;
const ROW_HEIGHT = 34;
/** Columns beyond this many are left to the JSON view. */
const MAX_COLUMNS = 40;
const HEX_ID = /^[0-9a-f]{24}$/;

/** The hex of an ObjectId value (`{"$oid": …}`), else null. */
function oidOf(value: Json | undefined): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const oid = (value as { $oid?: unknown }).$oid;
  return typeof oid === 'string' ? oid : null;
}

type Draft = Record<Part, string> & { limit: number; skip: number };

const EMPTY: Draft = { filter: '', projection: '', sort: '', limit: DEFAULT_LIMIT, skip: 0 };

/** Which part of the query the backend's error belongs to, if one. */
function partOf(error: unknown): string | null {
  if (isBackendError(error, 'invalid_input')) return error.error.data.field;
  if (isBackendError(error, 'operator_refused')) return error.error.data.part;
  return null;
}

/** The query bar over one collection, its page of documents and their count. */
export function QueryResults({
  browsing,
  onOpenUser,
  onFindId,
}: {
  browsing: Browsing;
  onOpenUser: (userId: string) => void;
  /** Looks an ObjectId up as `_id` in every collection of the database. */
  onFindId: (id: string) => void;
}) {
  const [draft, setDraft] = useState<Draft>({ ...EMPTY, filter: browsing.filter ?? '' });
  const [parseErrors, setParseErrors] = useState<Partial<Record<Part, string>>>({});
  const [query, setQuery] = useState<QueryInput>({ ...EMPTY, filter: browsing.filter ?? '' });
  const [view, setView] = useState<'table' | 'json'>('table');
  /** The `_id` (canonical Extended JSON) of the document open in the editor, `'new'` to insert one. */
  const [editing, setEditing] = useState<string | 'new' | null>(null);
  const open = (documentText: string) => setEditing(JSON.stringify((JSON.parse(documentText) as { _id: Json })._id));
  const [explaining, setExplaining] = useState(false);
  /** The part typed in last, where a hint goes, and each part's input. */
  const [focused, setFocused] = useState<Part>('filter');
  const inputs = useRef<Partial<Record<Part, HTMLInputElement | null>>>({});
  const insert = (text: string) => {
    const el = inputs.current[focused];
    const value = draft[focused];
    const at = el?.selectionStart ?? value.length;
    const end = el?.selectionEnd ?? at;
    setDraft((d) => ({ ...d, [focused]: value.slice(0, at) + text + value.slice(end) }));
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + text.length, at + text.length);
    });
  };
  const { database, collection } = browsing;

  const page = useQuery({
    queryKey: queryKeys.browseQuery(database, collection, query),
    queryFn: () => backend.runQuery(database, collection, query),
    placeholderData: keepPreviousData,
  });
  const count = useQuery({
    queryKey: queryKeys.browseCount(database, collection, query),
    queryFn: () => backend.countQuery(database, collection, query),
  });

  const run = (skip: number) => {
    const errors: Partial<Record<Part, string>> = {};
    const converted: Partial<Record<Part, string>> = {};
    for (const part of PARTS) {
      const result = toExtendedJson(draft[part]);
      if (result.ok) converted[part] = result.json;
      else errors[part] = result.message;
    }
    setParseErrors(errors);
    if (Object.keys(errors).length > 0) return;
    setDraft((d) => ({ ...d, skip }));
    setQuery({
      filter: converted.filter ?? '',
      projection: converted.projection ?? '',
      sort: converted.sort ?? '',
      limit: draft.limit,
      skip,
    });
  };
  /** Another page of the query that ran, whatever the bar holds now. */
  const turnPage = (skip: number) => {
    setDraft((d) => ({ ...d, skip }));
    setQuery((q) => ({ ...q, skip }));
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    run(draft.skip);
  };

  const failedPart = page.isError ? partOf(page.error) : null;
  const errorFor = (part: string): string | undefined =>
    (parseErrors as Record<string, string | undefined>)[part] ??
    (failedPart === part ? describeFailure(page.error).message || describeFailure(page.error).title : undefined);
  const documents = page.data?.documents ?? [];
  const loading = page.isPending;

  return (
    <Stack gap="sm" data-testid="query-results">
      <Group gap="xs" wrap="nowrap">
        <Text fw={600} ff="monospace" size="sm" data-testid="browse-namespace">
          {browsing.databaseName}.{collection}
        </Text>
        <Text size="sm" c="dimmed" data-testid="browse-count" style={{ flex: 1 }}>
          {count.isPending
            ? 'counting…'
            : count.isError
              ? `count unavailable: ${describeFailure(count.error).title}`
              : formatTotal(count.data, 'document')}
        </Text>
        <HistoryMenu
          database={database}
          collection={collection}
          current={query}
          onPick={(saved) => {
            const picked = { filter: saved.filter, projection: saved.projection, sort: saved.sort };
            setParseErrors({});
            setDraft((d) => ({ ...d, ...picked, skip: 0 }));
            setQuery((q) => ({ ...q, ...picked, skip: 0 }));
          }}
        />
        <ExportMenu
          name={collection}
          runKey={`query:${database}/${collection}`}
          what="Every document the query matches"
          noun={['document', 'documents']}
          run={(target, onProgress) => backend.exportQuery(database, collection, query, target, onProgress)}
        />
        <WriteButton
          size="xs"
          variant="light"
          blockedBy={browsing.notEditable}
          onClick={() => setEditing('new')}
          data-testid="document-insert"
        >
          Insert document
        </WriteButton>
      </Group>
      {editing === 'new' && <DocumentEditor browsing={browsing} original={null} onClose={() => setEditing(null)} />}
      {editing !== null && editing !== 'new' && <OpenDocument browsing={browsing} id={editing} onClose={() => setEditing(null)} />}
      <Paper withBorder radius="md" p="sm" component="form" onSubmit={onSubmit}>
        <Stack gap={6}>
          {PARTS.map((part) => (
            <TextInput
              key={part}
              size="xs"
              ff="monospace"
              label={part[0].toUpperCase() + part.slice(1)}
              placeholder={PLACEHOLDERS[part]}
              value={draft[part]}
              onChange={(e) => {
                const text = e.currentTarget.value;
                setDraft((d) => ({ ...d, [part]: text }));
              }}
              error={errorFor(part)}
              ref={(el) => {
                inputs.current[part] = el;
              }}
              onFocus={() => setFocused(part)}
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
              data-testid={`query-${part}`}
            />
          ))}
          <QueryHints database={database} collection={collection} onInsert={insert} />
          <Group gap="xs" align="flex-end">
            <NumberInput
              size="xs"
              w={110}
              label="Limit"
              min={1}
              max={MAX_PAGE}
              clampBehavior="strict"
              allowDecimal={false}
              value={draft.limit}
              onChange={(v) => setDraft((d) => ({ ...d, limit: typeof v === 'number' && v > 0 ? v : DEFAULT_LIMIT }))}
              error={errorFor('limit')}
              data-testid="query-limit"
            />
            <NumberInput
              size="xs"
              w={110}
              label="Skip"
              min={0}
              max={MAX_SKIP}
              clampBehavior="strict"
              allowDecimal={false}
              value={draft.skip}
              onChange={(v) => setDraft((d) => ({ ...d, skip: typeof v === 'number' ? v : 0 }))}
              error={errorFor('skip')}
              data-testid="query-skip"
            />
            <Button type="submit" size="xs" leftSection={<IconPlayerPlay size={14} />} data-testid="query-run">
              Find
            </Button>
            <Button
              size="xs"
              variant="default"
              onClick={() => {
                setDraft(EMPTY);
                setParseErrors({});
                setQuery({ ...EMPTY });
              }}
            >
              Reset
            </Button>
            <Button size="xs" variant="subtle" onClick={() => setExplaining((e) => !e)} data-testid="query-explain">
              {explaining ? 'Hide plan' : 'Explain'}
            </Button>
            <SegmentedControl
              size="xs"
              ml="auto"
              value={view}
              onChange={(v) => setView(v as 'table' | 'json')}
              data={[
                { value: 'table', label: 'Table' },
                { value: 'json', label: 'JSON' },
              ]}
              data-testid="query-view"
            />
          </Group>
        </Stack>
      </Paper>

      {page.isError && failedPart === null && <ErrorAlert error={page.error} onRetry={() => void page.refetch()} />}
      {explaining && <ExplainPanel database={database} collection={collection} query={query} />}

      {view === 'table' ? (
        <ResultsTable
          documents={documents}
          loading={loading}
          stale={page.isPlaceholderData}
          database={database}
          onOpenUser={onOpenUser}
          onOpen={open}
          onFindId={onFindId}
        />
      ) : (
        <Stack gap={6} data-testid="query-json">
          {documents.map((text, i) => (
            <UnstyledButton key={i} onClick={() => open(text)} data-testid="query-json-document" style={{ textAlign: 'left' }}>
              <Code block fz="xs">
                {shellText(JSON.parse(text) as Json)}
              </Code>
            </UnstyledButton>
          ))}
        </Stack>
      )}
      {page.data && (
        <Group gap="xs" justify="space-between">
          <Text size="xs" c="dimmed" data-testid="query-page-range">
            {documents.length === 0
              ? 'No documents match.'
              : `Documents ${page.data.skip + 1}–${page.data.skip + documents.length}`}
          </Text>
          <Group gap="xs">
            <Button size="xs" variant="default" disabled={page.data.skip === 0} onClick={() => turnPage(Math.max(0, page.data.skip - page.data.limit))}>
              Previous
            </Button>
            <Button
              size="xs"
              variant="default"
              disabled={!page.data.more || page.data.skip + page.data.limit > MAX_SKIP}
              onClick={() => turnPage(page.data.skip + page.data.limit)}
              data-testid="query-next"
            >
              Next
            </Button>
          </Group>
        </Group>
      )}
    </Stack>
  );
}

/** The page's documents, one row each, a column per top-level field in first-seen order. */
function ResultsTable({
  documents,
  loading,
  stale,
  database,
  onOpenUser,
  onOpen,
  onFindId,
}: {
  documents: string[];
  loading: boolean;
  stale: boolean;
  database: string;
  onOpenUser: (userId: string) => void;
  /** Opens a document (its backend text) in the editor. */
  onOpen: (document: string) => void;
  onFindId: (id: string) => void;
}) {
  const rows = useMemo(() => documents.map((d) => JSON.parse(d) as Record<string, Json>), [documents]);
  const columns = useMemo(() => {
    const seen = new Set<string>(['_id']);
    for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
    return [...seen].slice(0, MAX_COLUMNS);
  }, [rows]);
  const widths = columns.map((c) => (c === '_id' ? 300 : 170));
  const userLink = (key: string, value: Json | undefined): string | null =>
    database === 'core' && key === 'user_id' && typeof value === 'string' && HEX_ID.test(value) ? value : null;

  return (
    <VirtualTable
      count={rows.length}
      rowKey={(i) => String(i)}
      rowHeight={ROW_HEIGHT}
      widths={widths}
      miw={widths.reduce((a, b) => a + b, 0)}
      loading={loading}
      stale={stale}
      skeletonWidth={() => '70%'}
      skeletonTestId="query-skeleton"
      testId="query-table"
      horizontalSpacing="xs"
      style={{ maxHeight: 'calc(100vh - 420px)', minHeight: 200 }}
      head={
        <Table.Tr>
          {columns.map((c) => (
            <Table.Th key={c}>
              <Text size="xs" ff="monospace" fw={600} truncate="end" title={c}>
                {c}
              </Text>
            </Table.Th>
          ))}
        </Table.Tr>
      }
      renderRow={(i) => (
        <Table.Tr
          key={i}
          style={{ height: ROW_HEIGHT, cursor: 'pointer' }}
          data-testid="query-row"
          onClick={(e) => {
            // A user link or a find button inside the row does its own thing.
            if (!(e.target as HTMLElement).closest('[data-row-action]')) onOpen(documents[i]);
          }}
        >
          {columns.map((c) => {
            const value = rows[i][c];
            const text = cellText(value);
            const user = userLink(c, value);
            return (
              <Table.Td key={c}>
                {user ? (
                  <UnstyledButton onClick={() => onOpenUser(user)} data-testid="query-user-link" data-row-action="" maw="100%" display="block">
                    <Text size="xs" ff="monospace" c="var(--mantine-color-anchor)" truncate="end">
                      {text}
                    </Text>
                  </UnstyledButton>
                ) : (
                  <Group gap={2} wrap="nowrap">
                    <Text size="xs" ff="monospace" truncate="end" title={text} c={value === undefined ? 'dimmed' : undefined} style={{ minWidth: 0 }}>
                      {text}
                    </Text>
                    {oidOf(value) && (
                      <Tooltip label="Find this id in every collection" openDelay={400}>
                        <ActionIcon
                          size="xs"
                          variant="subtle"
                          aria-label="Find this id"
                          data-row-action=""
                          data-testid="query-find-id"
                          onClick={() => onFindId(oidOf(value)!)}
                        >
                          <IconSearch size={12} />
                        </ActionIcon>
                      </Tooltip>
                    )}
                  </Group>
                )}
              </Table.Td>
            );
          })}
        </Table.Tr>
      )}
    />
  );
}
