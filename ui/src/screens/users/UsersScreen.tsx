import { Alert, Button, Divider, Group, Paper, Select, Stack, Text, Title, Tooltip } from '@mantine/core';
import { IconInfoCircle, IconUsers } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { CursorPager } from '../../components/CursorPager';
import * as backend from '../../backend';
import type { Total, UserRow, UserSortField } from '../../backend';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatCount } from '../../format';
import { queryKeys } from '../../queries';
import { UserFiltersBar } from './UserFiltersBar';
import { ExportMenu } from '../../components/ExportMenu';
import { UserSearch } from './UserSearch';
import { UsersTable } from './UsersTable';
import {
  activeFilterCount,
  NO_FILTERS,
  PAGE_SIZES,
  rememberPageSize,
  SORT_LABELS,
  toUserQuery,
  type UsersListState,
} from './usersState';

interface Props {
  state: UsersListState;
  onStateChange: (s: UsersListState) => void;
  onOpenUser: (id: string) => void;
}

const users = (n: number) => (n === 1 ? 'user' : 'users');

/** `1,234 users`, `≈ 1.2M users` (an estimate), or unknown. */
function TotalText({ total, filtered }: { total: Total; filtered: boolean }) {
  if (total.value === null) return <>Total unknown: counting took too long</>;
  const n = total.value;
  return (
    <>
      {total.exact ? formatCount(n) : `≈ ${new Intl.NumberFormat('en-US', { notation: 'compact' }).format(n)}`} {users(n)}
      {filtered ? ' match the filters' : ''}
      {!total.exact && (
        <Tooltip label="Counting took too long, so this is an estimate" multiline maw={260}>
          <Text span c="dimmed" size="xs" ml={6} style={{ textDecoration: 'underline dotted' }} data-testid="users-total-estimate">
            estimate
          </Text>
        </Tooltip>
      )}
    </>
  );
}

export function UsersScreen({ state, onStateChange, onOpenUser }: Props) {
  const query = toUserQuery(state);
  const users = useQuery({
    queryKey: queryKeys.users(query),
    queryFn: () => backend.listUsers(query),
    placeholderData: keepPreviousData,
  });
  // The total loads beside the rows, which never wait for it.
  const count = useQuery({
    queryKey: queryKeys.userCount(query),
    queryFn: () => backend.countUsers(query),
  });

  const page = users.data;
  const rows = page?.rows ?? EMPTY;
  const total = count.data;
  const filtered = activeFilterCount(state.filters) > 0;
  const pageIndex = state.cursors.length;
  const next = users.isPlaceholderData ? null : (page?.next ?? null);
  const firstRow = pageIndex * state.pageSize + 1;
  const open = (u: UserRow) => onOpenUser(u.id);
  /** A new query (filters, sort, page size) starts over at the first page. */
  const set = (patch: Partial<UsersListState>) => onStateChange({ ...state, cursors: [], ...patch });
  const goNext = () => next && onStateChange({ ...state, cursors: [...state.cursors, next] });
  const goPrevious = () => onStateChange({ ...state, cursors: state.cursors.slice(0, -1) });

  return (
    <Stack
      gap="md"
      data-testid="users"
      style={{
        height: 'calc(100dvh - var(--app-shell-header-offset, 52px) - 2 * var(--mantine-spacing-lg))',
        minHeight: 420,
      }}
    >
      <Group justify="space-between" align="flex-end" wrap="nowrap">
        <div>
          <Title order={2}>Users</Title>
          <Text c="dimmed" size="sm" mt={4} data-testid="users-total">
            {total ? (
              <TotalText total={total} filtered={filtered} />
            ) : count.isError ? (
              'Total unknown: the count failed'
            ) : (
              'Counting users…'
            )}
          </Text>
        </div>
        <Group gap="sm" align="flex-end" wrap="nowrap">
          <ExportMenu
            name="users"
            runKey="users-list"
            what="Every user the filters match, with the table's columns"
            noun={['user', 'users']}
            run={(target, onProgress) => backend.exportUsers(query, target, onProgress)}
            testId="users-export"
          />
          <UserSearch onOpen={open} />
        </Group>
      </Group>

      <Paper withBorder radius="md" p="sm">
        <UserFiltersBar filters={state.filters} onChange={(filters) => set({ filters })} />
      </Paper>

      {page?.sort_note && (
        <Alert color="gray" variant="light" p="xs" icon={<IconInfoCircle size={16} />} data-testid="users-sort-note">
          <Text size="xs" c="dimmed">
            {page.sort_note}
          </Text>
        </Alert>
      )}

      <Paper withBorder radius="md" style={{ flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column', overflow: 'hidden' }}>
        {users.isError && !page ? (
          <Stack p="md">
            <ErrorAlert error={users.error} onRetry={() => void users.refetch()} testId="users-error" />
          </Stack>
        ) : (
          <>
            {users.isError && (
              <Stack p="sm">
                <ErrorAlert error={users.error} onRetry={() => void users.refetch()} testId="users-error" />
              </Stack>
            )}
            <UsersTable
              rows={rows}
              sort={state.sort}
              descending={state.descending}
              onSort={(sort, descending) => set({ sort, descending })}
              onOpen={open}
              loading={users.isPending}
              stale={users.isPlaceholderData}
              fetchedAt={users.dataUpdatedAt}
              style={{ flex: rows.length === 0 && !users.isPending ? '0 0 auto' : 1, minHeight: 0 }}
            />
            {!users.isPending && rows.length === 0 && (
              <Stack align="center" gap="xs" py="xl" data-testid="users-empty" style={{ flex: 1 }}>
                <IconUsers size={32} stroke={1.4} color="var(--mantine-color-dimmed)" />
                <Text fw={600}>{filtered ? 'No users match these filters' : pageIndex > 0 ? 'No users on this page' : 'No users yet'}</Text>
                <Text size="sm" c="dimmed" ta="center" maw={420}>
                  {filtered
                    ? 'Loosen or clear the filters to see more users.'
                    : pageIndex > 0
                      ? 'This page is past the end of the list.'
                      : 'The users collection is empty. Seed demo data from the Overview to try the console.'}
                </Text>
                {filtered ? (
                  <Button size="xs" variant="light" onClick={() => set({ filters: NO_FILTERS })}>
                    Clear filters
                  </Button>
                ) : (
                  pageIndex > 0 && (
                    <Button size="xs" variant="light" onClick={() => set({})}>
                      First page
                    </Button>
                  )
                )}
              </Stack>
            )}
          </>
        )}
        <Divider />
        <Group justify="space-between" px="md" py={8} wrap="nowrap" data-testid="users-pagination">
          <Group gap="xs" wrap="nowrap">
            <Text size="sm" c="dimmed">
              Sort by
            </Text>
            <Select
              size="xs"
              w={120}
              data={Object.entries(SORT_LABELS).map(([value, label]) => ({ value, label }))}
              value={state.sort}
              allowDeselect={false}
              onChange={(v) => v && set({ sort: v as UserSortField, descending: v !== 'email' })}
              aria-label="Sort by"
              data-testid="users-sort"
            />
            <Text size="sm" c="dimmed" ml="sm">
              Rows per page
            </Text>
            <Select
              size="xs"
              w={76}
              data={PAGE_SIZES.map(String)}
              value={String(state.pageSize)}
              allowDeselect={false}
              onChange={(v) => {
                const pageSize = Number(v);
                rememberPageSize(pageSize);
                set({ pageSize });
              }}
              aria-label="Rows per page"
              data-testid="page-size"
            />
          </Group>
          <Group gap={6} wrap="nowrap">
            <Text size="sm" c="dimmed" style={{ fontVariantNumeric: 'tabular-nums' }} data-testid="page-range">
              {rows.length > 0
                ? `${formatCount(firstRow)}–${formatCount(firstRow + rows.length - 1)}${
                    total?.value != null ? ` of ${total.exact ? '' : '≈ '}${formatCount(total.value)}` : ''
                  }`
                : `Page ${formatCount(pageIndex + 1)}`}
            </Text>
            <CursorPager
              pageIndex={pageIndex}
              hasNext={next !== null}
              onFirst={() => set({})}
              onPrevious={goPrevious}
              onNext={goNext}
              onReload={() => {
                void users.refetch();
                void count.refetch();
              }}
              reloading={users.isFetching && !users.isPending}
              reloadLabel="Reload users"
              testIds={{ previous: 'page-prev', next: 'page-next', reload: 'users-refresh' }}
            />
          </Group>
        </Group>
      </Paper>
    </Stack>
  );
}

const EMPTY: UserRow[] = [];
