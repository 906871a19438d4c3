import { Badge, Checkbox, Table, Text, Tooltip, UnstyledButton } from '@mantine/core';
import { memo, useMemo, type CSSProperties, type ReactNode } from 'react';
import type { FeedRow, UserLabel } from '../../backend';
import { AbsoluteDate, RelativeDate } from '../../components/DateText';
import { useStableCallback } from '../../components/useStableCallback';
import { VirtualTable } from '../../components/VirtualTable';

export const TYPE_COLORS: Record<string, string> = {
  task_reminder: 'grape',
  mention: 'blue',
  system: 'gray',
  billing: 'orange',
  security: 'red',
};

export function TypeBadge({ type }: { type: string }) {
  return (
    <Badge size="sm" variant="light" tt="none" color={TYPE_COLORS[type] ?? 'teal'} maw="100%" title={type}>
      {type ? type.replace(/_/g, ' ') : 'none'}
    </Badge>
  );
}

export function ReadBadge({ read }: { read: boolean }) {
  return read ? (
    <Badge size="sm" variant="light" color="gray" tt="none" data-testid="read-badge">
      read
    </Badge>
  ) : (
    <Badge size="sm" variant="dot" color="blue" tt="none" data-testid="read-badge">
      unread
    </Badge>
  );
}

const ROW_HEIGHT = 44;

/** What a row's cells call back; one stable object for every row. */
interface RowActions {
  onToggle: (row: FeedRow) => void;
  onOpenUser: (userId: string) => void;
}

/** A row's state: its checkbox (ticked, usable) and who its user is. */
interface RowState {
  checked: boolean;
  /** The rows are stale (the next page or new filters are loading): not selectable. */
  disabled: boolean;
  /** The row's user as the page's lookup names them; `undefined`: no such user (deleted). */
  label: UserLabel | undefined;
}

interface Column {
  id: string;
  /** `null` for the select column, whose header is the page's checkbox. */
  header: string | null;
  width?: number;
  cell: (row: FeedRow, state: RowState, actions: RowActions) => ReactNode;
}

const COLUMNS: Column[] = [
  {
    id: 'select',
    header: null,
    width: 40,
    cell: (r, { checked, disabled }, { onToggle }) => (
      <Checkbox
        size="xs"
        aria-label={`Select “${r.title}”`}
        checked={checked}
        disabled={disabled}
        onChange={() => onToggle(r)}
        data-testid="feed-select"
      />
    ),
  },
  { id: 'type', header: 'Type', width: 130, cell: (r) => <TypeBadge type={r.type} /> },
  {
    id: 'title',
    header: 'Title',
    width: 200,
    cell: (r) => (
      <Tooltip label={r.title} openDelay={500}>
        <Text size="sm" fw={r.read ? 400 : 600} truncate="end">
          {r.title}
        </Text>
      </Tooltip>
    ),
  },
  {
    id: 'message',
    header: 'Message',
    cell: (r) => (
      <Tooltip label={r.message} openDelay={500} multiline maw={420}>
        <Text size="sm" c="dimmed" truncate="end">
          {r.message}
        </Text>
      </Tooltip>
    ),
  },
  {
    id: 'user',
    header: 'User',
    width: 190,
    cell: (r, { label }, { onOpenUser }) => <UserCell userId={r.user_id} label={label} onOpen={onOpenUser} />,
  },
  { id: 'created', header: 'Created', width: 110, cell: (r) => <RelativeDate iso={r.created_at} size="xs" c="dimmed" /> },
  {
    id: 'expires',
    header: 'Expires',
    width: 104,
    cell: (r) => <AbsoluteDate iso={r.expires_at} dateOnly size="xs" c="dimmed" empty="never" />,
  },
  { id: 'read', header: 'Status', width: 90, cell: (r) => <ReadBadge read={r.read} /> },
];

/**
 * Who a row's user is: email, the username beneath; "deleted user" when the
 * page's lookup has no such user. The id on hover; a click opens the user.
 */
function UserCell({ userId, label, onOpen }: { userId: string; label: UserLabel | undefined; onOpen: (userId: string) => void }) {
  const primary = label ? (label.email ?? label.username) : null;
  const secondary = label?.email != null ? label.username : null;
  return (
    <Tooltip label={userId} openDelay={300} ff="monospace">
      <UnstyledButton onClick={() => onOpen(userId)} data-testid="feed-user-link" display="block" maw="100%">
        <Text span display="block" data-testid="feed-user" data-deleted={label ? undefined : ''}>
          {!label ? (
            <Text span display="block" size="xs" c="dimmed" fs="italic">
              deleted user
            </Text>
          ) : primary !== null ? (
            <Text span display="block" size="xs" fw={500} c="var(--mantine-color-anchor)" truncate="end">
              {primary}
            </Text>
          ) : (
            // A user with neither email nor username: the id is all there is.
            <Text span display="block" size="xs" ff="monospace" c="var(--mantine-color-anchor)" truncate="end">
              {userId}
            </Text>
          )}
          {secondary && (
            <Text span display="block" size="xs" c="dimmed" truncate="end">
              {secondary}
            </Text>
          )}
        </Text>
      </UnstyledButton>
    </Tooltip>
  );
}

interface RowProps {
  row: FeedRow;
  index: number;
  checked: boolean;
  /** The rows are stale: the checkbox is off. */
  disabled: boolean;
  /** From the page's lookup, one object per user and page: a new one re-renders the row. */
  label: UserLabel | undefined;
  /** When the rows were fetched: a reload redraws "3 days ago". */
  fetchedAt: number;
  actions: RowActions;
}

/**
 * One notification's row, memoized on the notification, its checkbox and its
 * user's label: a scroll step renders only the rows it brings into view (as
 * the users table).
 */
const FeedTableRow = memo(function FeedTableRow({ row, index, checked, disabled, label, actions }: RowProps) {
  return (
    <Table.Tr
      data-index={index}
      data-testid="feed-row"
      data-id={row.id}
      data-user-id={row.user_id}
      data-read={row.read}
      bg={checked ? 'var(--mantine-primary-color-light)' : undefined}
      style={{ height: ROW_HEIGHT }}
    >
      {COLUMNS.map((c) => (
        <Table.Td key={c.id} style={{ overflow: 'hidden' }}>
          {c.cell(row, { checked, disabled, label }, actions)}
        </Table.Td>
      ))}
    </Table.Tr>
  );
});

interface Props {
  rows: FeedRow[];
  /**
   * The page's users by id (`FeedPage.users`), built once per page: each row
   * gets its user's label object, so a memoized row re-renders only when that
   * label changes.
   */
  users: ReadonlyMap<string, UserLabel>;
  selected: ReadonlySet<string>;
  onToggle: (row: FeedRow) => void;
  onToggleAll: (select: boolean) => void;
  onOpenUser: (userId: string) => void;
  loading: boolean;
  /**
   * The rows shown are the previous query's (the next page or new filters are
   * loading): dimmed, and neither they nor "select all" can be selected.
   */
  stale: boolean;
  /** When `rows` were fetched (the query's `dataUpdatedAt`). */
  fetchedAt: number;
  style?: CSSProperties;
}

/** The feed page: newest first, virtualized rows, a checkbox per row. */
export function FeedTable({ rows, users, selected, onToggle, onToggleAll, onOpenUser, loading, stale, fetchedAt, style }: Props) {
  const toggle = useStableCallback(onToggle);
  const openUser = useStableCallback(onOpenUser);
  const actions = useMemo<RowActions>(() => ({ onToggle: toggle, onOpenUser: openUser }), [toggle, openUser]);
  // A selection only ever holds rows shown now: stale rows cannot be picked.
  const disabled = loading || stale;
  const selectedOnPage = rows.filter((r) => selected.has(r.id)).length;
  const selectAll = (
    <Checkbox
      size="xs"
      aria-label="Select every notification on this page"
      checked={rows.length > 0 && selectedOnPage === rows.length}
      indeterminate={selectedOnPage > 0 && selectedOnPage < rows.length}
      disabled={disabled}
      onChange={(e) => onToggleAll(e.currentTarget.checked)}
      data-testid="feed-select-all"
    />
  );
  return (
    <VirtualTable
      count={rows.length}
      rowKey={(i) => rows[i].id}
      renderRow={(i) => {
        const row = rows[i];
        return (
          <FeedTableRow
            key={row.id}
            row={row}
            index={i}
            checked={selected.has(row.id)}
            disabled={disabled}
            label={users.get(row.user_id)}
            fetchedAt={fetchedAt}
            actions={actions}
          />
        );
      }}
      rowHeight={ROW_HEIGHT}
      widths={COLUMNS.map((c) => c.width)}
      head={
        <Table.Tr>
          {COLUMNS.map((c) => (
            <Table.Th key={c.id} style={{ height: 40, whiteSpace: 'nowrap' }}>
              {c.header === null ? (
                selectAll
              ) : (
                <Text size="sm" fw={600} span>
                  {c.header}
                </Text>
              )}
            </Table.Th>
          ))}
        </Table.Tr>
      }
      loading={loading}
      skeletonWidth={() => '60%'}
      skeletonTestId="feed-row-skeleton"
      stale={stale}
      testId="feed-table"
      horizontalSpacing="sm"
      miw={980}
      style={style}
    />
  );
}
