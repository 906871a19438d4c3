import {
  ActionIcon,
  Anchor,
  Badge,
  Code,
  Collapse,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconChevronRight, IconHistory, IconRefresh, IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import * as backend from '../../backend';
import type { AuditEntry, AuditQuery } from '../../backend';
import { AbsoluteDate, RelativeDate } from '../../components/DateText';
import { ErrorAlert } from '../../components/ErrorAlert';
import { SectionSkeleton } from '../../components/Section';
import { plural, prettyJson } from '../../format';
import { ExportMenu } from '../../components/ExportMenu';
import { queryKeys } from '../../queries';

export const AUDIT_DEBOUNCE_MS = 300;
const LIMITS = ['100', '200', '500'];
const KNOWN_COLLECTIONS = ['users', 'settings'];
const KNOWN_OPERATIONS = ['update_user', 'export_user', 'erase_user', 'set notification_preferences'];
/** Target ids of these collections are user ids: they open the 360 view. */
const USER_COLLECTIONS = new Set(['users', 'settings']);

/** What each audit stage means: a write is logged before (`intent`) and after (`done`). */
const STAGE_LABELS: Record<string, string> = {
  intent: 'Logged before the write: it was about to happen',
  done: 'Logged after the write succeeded',
  read: 'A read (an export)',
};

const OPERATION_COLORS: Record<string, string> = {
  update_user: 'blue',
  export_user: 'teal',
  erase_user: 'red',
};

export function AuditScreen({ onOpenUser }: { onOpenUser: (id: string) => void }) {
  const [text, setText] = useState('');
  const [debounced] = useDebouncedValue(text.trim(), AUDIT_DEBOUNCE_MS);
  const [collection, setCollection] = useState<string | null>(null);
  const [operation, setOperation] = useState<string | null>(null);
  const [limit, setLimit] = useState('200');
  const query: AuditQuery = { text: debounced || null, collection, operation, limit: Number(limit) };
  const audit = useQuery({
    queryKey: queryKeys.audit(query),
    queryFn: () => backend.listAudit(query),
    placeholderData: keepPreviousData,
  });
  const entries = audit.data ?? [];
  // Options: the known ones, those in the entries shown, and the selection.
  const options = (known: string[], values: (string | null)[]) =>
    [...new Set([...known, ...values.filter((v): v is string => Boolean(v))])].sort();
  const collectionOptions = options(KNOWN_COLLECTIONS, [...entries.map((e) => e.collection), collection]);
  const operationOptions = options(KNOWN_OPERATIONS, [...entries.map((e) => e.operation), operation]);
  const filtered = Boolean(debounced || collection || operation);

  return (
    <Stack gap="md" data-testid="audit">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={2}>Audit log</Title>
          <Text c="dimmed" size="sm" mt={4}>
            Every write this app made, newest first: who, from which profile, and what changed.
          </Text>
        </div>
        <Group gap="sm" wrap="nowrap">
          <ExportMenu
            name="audit"
            runKey="audit-trail"
            what="Every entry the filters match, past the newest shown"
            noun={['entry', 'entries']}
            run={(target, onProgress) => backend.exportAudit(query, target, onProgress)}
            testId="audit-export"
          />
          <Tooltip label="Reload">
            <ActionIcon
              variant="default"
              size="lg"
              onClick={() => void audit.refetch()}
              loading={audit.isFetching && !audit.isPending}
              aria-label="Reload audit log"
              data-testid="audit-refresh"
            >
              <IconRefresh size={18} />
            </ActionIcon>
          </Tooltip>
        </Group>
      </Group>

      <Paper withBorder radius="md" p="sm">
        <Group gap="sm" align="flex-end" data-testid="audit-filters">
          <TextInput
            label="Search"
            size="xs"
            w={280}
            placeholder="Target id, operation, profile or OS user"
            leftSection={<IconSearch size={14} />}
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            data-testid="audit-text"
          />
          <Select
            label="Collection"
            size="xs"
            w={150}
            placeholder="Any"
            data={collectionOptions}
            value={collection}
            onChange={setCollection}
            clearable
            data-testid="audit-collection"
          />
          <Select
            label="Operation"
            size="xs"
            w={240}
            placeholder="Any"
            data={operationOptions}
            value={operation}
            onChange={setOperation}
            clearable
            searchable
            data-testid="audit-operation"
          />
          <Select
            label="Newest"
            size="xs"
            w={90}
            data={LIMITS}
            value={limit}
            onChange={(v) => v && setLimit(v)}
            allowDeselect={false}
            data-testid="audit-limit"
          />
        </Group>
      </Paper>

      <Paper withBorder radius="md">
        <Group justify="space-between" px="md" py="sm">
          <Group gap="xs">
            <IconHistory size={18} stroke={1.6} />
            <Text fw={600}>Entries</Text>
            {audit.data && (
              <Text size="sm" c="dimmed" data-testid="audit-count">
                {plural(entries.length, 'entry', 'entries')}
                {entries.length >= query.limit! ? ` (the newest ${limit})` : ''}
              </Text>
            )}
          </Group>
        </Group>
        {audit.isPending ? (
          <Stack p="md">
            <SectionSkeleton lines={6} testId="audit-loading" />
          </Stack>
        ) : audit.isError && !audit.data ? (
          <Stack p="md">
            <ErrorAlert error={audit.error} onRetry={() => void audit.refetch()} testId="audit-error" />
          </Stack>
        ) : entries.length === 0 ? (
          <Stack align="center" gap={4} py="xl" data-testid="audit-empty">
            <Text fw={600}>{filtered ? 'No entries match' : 'No writes recorded yet'}</Text>
            <Text size="sm" c="dimmed">
              {filtered ? 'Change or clear the filters.' : 'Edits, settings saves, exports and erasures appear here.'}
            </Text>
          </Stack>
        ) : (
          <AuditTable entries={entries} stale={audit.isPlaceholderData} onOpenUser={onOpenUser} />
        )}
      </Paper>
    </Stack>
  );
}

function AuditTable({ entries, stale, onOpenUser }: { entries: AuditEntry[]; stale: boolean; onOpenUser: (id: string) => void }) {
  const [open, setOpen] = useState<Set<number>>(new Set());
  const toggle = (i: number) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(i)) next.delete(i);
      else next.add(i);
      return next;
    });
  return (
    <Table
      layout="fixed"
      verticalSpacing={8}
      horizontalSpacing="md"
      highlightOnHover
      data-testid="audit-table"
      style={{ opacity: stale ? 0.6 : 1, borderTop: '1px solid var(--mantine-color-default-border)' }}
    >
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={36} />
          <Table.Th w={150}>Time</Table.Th>
          <Table.Th w={170}>Profile</Table.Th>
          <Table.Th w={100}>OS user</Table.Th>
          <Table.Th w={100}>Collection</Table.Th>
          <Table.Th>Target id</Table.Th>
          <Table.Th w={230}>Operation</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {entries.map((e, i) => {
          const expanded = open.has(i);
          const userTarget = USER_COLLECTIONS.has(e.collection) && /^[0-9a-f]{24}$/i.test(e.target_id);
          return (
            <Fragment key={`${e.at}-${i}`}>
              <Table.Tr data-testid="audit-row" data-operation={e.operation} style={{ cursor: 'pointer' }} onClick={() => toggle(i)}>
                <Table.Td>
                  <IconChevronRight
                    size={14}
                    style={{ transform: expanded ? 'rotate(90deg)' : undefined, transition: 'transform 120ms' }}
                    aria-label={expanded ? 'Hide changes' : 'Show changes'}
                  />
                </Table.Td>
                <Table.Td>
                  <Stack gap={0}>
                    <AbsoluteDate iso={e.at} />
                    <RelativeDate iso={e.at} size="xs" c="dimmed" />
                  </Stack>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" truncate="end" title={`${e.profile} · ${e.database}`}>
                    {e.profile}
                  </Text>
                  <Text size="xs" c="dimmed" ff="monospace" truncate="end">
                    {e.database}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" truncate="end">
                    {e.os_user}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" ff="monospace">
                    {e.collection}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {userTarget ? (
                    <Tooltip label="Open the user’s 360 view">
                      <Anchor
                        component="button"
                        size="sm"
                        ff="monospace"
                        onClick={(ev) => {
                          ev.stopPropagation();
                          onOpenUser(e.target_id);
                        }}
                        data-testid="audit-target"
                      >
                        {e.target_id}
                      </Anchor>
                    </Tooltip>
                  ) : (
                    <Text size="sm" ff="monospace" truncate="end">
                      {e.target_id}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Badge
                      variant="light"
                      color={OPERATION_COLORS[e.operation] ?? (e.operation.startsWith('set ') ? 'grape' : 'gray')}
                      size="sm"
                      tt="none"
                      maw="100%"
                    >
                      {e.operation}
                    </Badge>
                    <Tooltip label={STAGE_LABELS[e.stage] ?? e.stage}>
                      <Badge variant="outline" color={e.stage === 'intent' ? 'orange' : 'gray'} size="xs" tt="none" data-testid="audit-stage" style={{ flexShrink: 0 }}>
                        {e.stage}
                      </Badge>
                    </Tooltip>
                  </Group>
                </Table.Td>
              </Table.Tr>
              <Table.Tr style={{ display: expanded ? undefined : 'none' }}>
                <Table.Td colSpan={7} p={0} style={{ borderBottom: expanded ? undefined : 0 }}>
                  <Collapse in={expanded}>
                    {expanded && (
                      <SimpleGrid cols={2} spacing="md" p="md" data-testid="audit-change">
                        <JsonBlock label="Before" json={e.before} />
                        <JsonBlock label="After" json={e.after} />
                      </SimpleGrid>
                    )}
                  </Collapse>
                </Table.Td>
              </Table.Tr>
            </Fragment>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}

function JsonBlock({ label, json }: { label: string; json: string }) {
  const empty = json === 'null' || json === '' || json === '{}';
  return (
    <div style={{ minWidth: 0 }}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600} lts={0.4} mb={4}>
        {label}
      </Text>
      {empty ? (
        <Text size="sm" c="dimmed">
          {json === '{}' ? '{}' : 'nothing'}
        </Text>
      ) : (
        <Code block style={{ maxHeight: 320, overflow: 'auto' }}>
          {prettyJson(json)}
        </Code>
      )}
    </div>
  );
}
