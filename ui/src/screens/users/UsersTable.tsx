import { Group, Table, Text, Tooltip, UnstyledButton, type TextProps } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconArrowsSort } from '@tabler/icons-react';
import {
  createColumnHelper,
  rowSortingFeature,
  tableFeatures,
  useTable,
  FlexRender,
  type Row,
  type SortingState,
  type Updater,
} from '@tanstack/react-table';
import { memo, useMemo, type CSSProperties } from 'react';
import type { UserRow, UserSortField } from '../../backend';
import { AbsoluteDate, RelativeDate } from '../../components/DateText';
import { useStableCallback } from '../../components/useStableCallback';
import { VirtualTable } from '../../components/VirtualTable';
import { ExpiryText, RoleBadges, TierBadge } from '../../components/userBadges';

const features = tableFeatures({ rowSortingFeature });

const helper = createColumnHelper<typeof features, UserRow>();

/**
 * A cell's text, cut to the column, in full on hover. Not the `title`
 * attribute: the webview draws that tooltip itself and keeps it up after a
 * click has replaced the table with the 360 view, until the mouse moves. This
 * one is part of the row and goes with it.
 */
function CellText({ value, ...props }: { value: string } & TextProps) {
  return (
    <Tooltip label={value} openDelay={500}>
      <Text size="sm" truncate="end" {...props}>
        {value}
      </Text>
    </Tooltip>
  );
}


/** Dates sort newest first on the first click; text A→Z. */
const columns = helper.columns([
  helper.accessor('email', {
    header: 'Email',
    cell: (c) => <CellText value={c.getValue()} fw={500} />,
  }),
  helper.accessor('username', {
    header: 'Username',
    enableSorting: false,
    cell: (c) => <CellText value={c.getValue()} c="dimmed" />,
  }),
  helper.accessor('roles', {
    header: 'Roles',
    enableSorting: false,
    cell: (c) => <RoleBadges roles={c.getValue()} size="xs" />,
  }),
  helper.accessor('tier', {
    header: 'Subscription',
    enableSorting: false,
    cell: (c) => (
      <Group gap={8} wrap="nowrap">
        <TierBadge tier={c.getValue()} size="xs" />
        <ExpiryText expiresAt={c.row.original.expires_at} size="xs" compact />
      </Group>
    ),
  }),
  helper.accessor('created_at', {
    header: 'Created',
    sortDescFirst: true,
    cell: (c) => <AbsoluteDate iso={c.getValue()} c="dimmed" dateOnly />,
  }),
  helper.accessor('last_login', {
    header: 'Last login',
    sortDescFirst: true,
    cell: (c) => <RelativeDate iso={c.getValue()} empty="never" />,
  }),
]);

const WIDTHS: Record<string, number | undefined> = {
  email: undefined, // takes the rest
  username: 150,
  roles: 130,
  tier: 200,
  created_at: 116,
  last_login: 124,
};

export const ROW_HEIGHT = 44;

interface Props {
  rows: UserRow[];
  sort: UserSortField;
  descending: boolean;
  onSort: (sort: UserSortField, descending: boolean) => void;
  onOpen: (user: UserRow) => void;
  /** Placeholder rows while the first page loads. */
  loading: boolean;
  /** A newer page is on its way (the rows shown are the previous page's). */
  stale: boolean;
  /** When `rows` were fetched (the query's `dataUpdatedAt`). */
  fetchedAt: number;
  /** Fills its parent's height; rows scroll inside. */
  style?: CSSProperties;
}

interface RowProps {
  row: Row<typeof features, UserRow>;
  index: number;
  /** When the rows were fetched: a reload redraws "3 days ago" and expiries. */
  fetchedAt: number;
  onOpen: (user: UserRow) => void;
}

/**
 * One user's row, memoized on that user: a scroll step renders only the rows
 * it brings into view, not every visible row with its tooltips again (that
 * was about 100 ms a frame in WebKit; scripts/bench-scroll measures it).
 */
const UserTableRow = memo(
  function UserTableRow({ row, index, onOpen }: RowProps) {
    const user = row.original;
    return (
      <Table.Tr
        data-index={index}
        data-testid="user-row"
        data-email={user.email}
        data-user-id={user.id}
        tabIndex={0}
        onClick={() => onOpen(user)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            onOpen(user);
          }
        }}
        style={{ height: ROW_HEIGHT, cursor: 'pointer' }}
      >
        {row.getAllCells().map((cell) => (
          <Table.Td key={cell.id} style={{ overflow: 'hidden' }}>
            <FlexRender cell={cell} />
          </Table.Td>
        ))}
      </Table.Tr>
    );
  },
  (a, b) => a.row.original === b.row.original && a.index === b.index && a.fetchedAt === b.fetchedAt && a.onOpen === b.onOpen,
);

/** The users page: TanStack Table columns, server-side sort, virtualized rows. */
export function UsersTable({ rows, sort, descending, onSort, onOpen, loading, stale, fetchedAt, style }: Props) {
  const sorting: SortingState = useMemo(() => [{ id: sort, desc: descending }], [sort, descending]);
  const table = useTable({
    features,
    columns,
    data: rows,
    getRowId: (r) => r.id,
    manualSorting: true,
    enableMultiSort: false,
    enableSortingRemoval: false,
    state: { sorting },
    onSortingChange: (updater: Updater<SortingState>) => {
      const next = typeof updater === 'function' ? updater(sorting) : updater;
      const first = next[0];
      if (first) onSort(first.id as UserSortField, first.desc);
    },
  });

  // One stable callback for every row, so a row re-renders only for its own user.
  const open = useStableCallback(onOpen);

  const modelRows = table.getRowModel().rows;
  const head = table.getHeaderGroups().map((group) => (
    <Table.Tr key={group.id}>
      {group.headers.map((header) => {
        const column = header.column;
        const sorted = column.getIsSorted();
        return (
          <Table.Th
            key={header.id}
            aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
            style={{ height: 40, whiteSpace: 'nowrap' }}
          >
            {column.getCanSort() ? (
              <UnstyledButton
                onClick={column.getToggleSortingHandler()}
                data-testid={`sort-${column.id}`}
                data-sorted={sorted || undefined}
                style={{ display: 'inline-flex', alignItems: 'center', gap: 4, fontWeight: 600, fontSize: 'var(--mantine-font-size-sm)' }}
              >
                <table.FlexRender header={header} />
                {sorted === 'asc' ? (
                  <IconArrowUp size={14} />
                ) : sorted === 'desc' ? (
                  <IconArrowDown size={14} />
                ) : (
                  <IconArrowsSort size={14} color="var(--mantine-color-dimmed)" />
                )}
              </UnstyledButton>
            ) : (
              <Text size="sm" fw={600} span>
                <table.FlexRender header={header} />
              </Text>
            )}
          </Table.Th>
        );
      })}
    </Table.Tr>
  ));

  return (
    <VirtualTable
      count={modelRows.length}
      rowKey={(i) => modelRows[i].id}
      renderRow={(i) => {
        const row = modelRows[i];
        return <UserTableRow key={row.id} row={row} index={i} fetchedAt={fetchedAt} onOpen={open} />;
      }}
      rowHeight={ROW_HEIGHT}
      widths={table.getAllLeafColumns().map((c) => WIDTHS[c.id])}
      head={head}
      loading={loading}
      skeletonWidth={(column) => (column === 0 ? '70%' : '55%')}
      skeletonTestId="user-row-skeleton"
      stale={stale}
      testId="users-table"
      horizontalSpacing="md"
      style={style}
    />
  );
}
