import { ActionIcon, Button, Divider, Group, Paper, Select, Stack, Text, Title, Tooltip } from '@mantine/core';
import {
  IconChevronLeft,
  IconChevronRight,
  IconChevronsLeft,
  IconChevronsRight,
  IconRefresh,
  IconUsers,
} from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import * as backend from '../../backend';
import type { UserRow } from '../../backend';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatCount, formatTotal } from '../../format';
import { queryKeys } from '../../queries';
import { UserFiltersBar } from './UserFiltersBar';
import { UserSearch } from './UserSearch';
import { UsersTable } from './UsersTable';
import { activeFilterCount, NO_FILTERS, PAGE_SIZES, rememberPageSize, toUserQuery, type UsersListState } from './usersState';

interface Props {
  state: UsersListState;
  onStateChange: (s: UsersListState) => void;
  onOpenUser: (id: string) => void;
  /** Changes when Ctrl/Cmd+K asks for the search box. */
  focusSearch?: number;
}

export function UsersScreen({ state, onStateChange, onOpenUser, focusSearch = 0 }: Props) {
  const query = toUserQuery(state);
  const users = useQuery({
    queryKey: queryKeys.users(query),
    queryFn: () => backend.listUsers(query),
    placeholderData: keepPreviousData,
  });
  const searchRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (focusSearch > 0) searchRef.current?.focus();
  }, [focusSearch]);

  const page = users.data;
  const rows = page?.rows ?? EMPTY;
  const total = page?.total;
  const filtered = activeFilterCount(state.filters) > 0;
  const pageCount = total?.value != null ? Math.max(1, Math.ceil(total.value / state.pageSize)) : null;
  const hasNext = pageCount !== null && total?.exact ? state.page + 1 < pageCount : rows.length === state.pageSize;
  const firstRow = state.page * state.pageSize + 1;
  const open = (u: UserRow) => onOpenUser(u.id);
  const set = (patch: Partial<UsersListState>) => onStateChange({ ...state, ...patch });

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
              <>
                {formatTotal(total, 'user')}
                {filtered ? ' match the filters' : ''}
                {!total.exact && (
                  <Tooltip label="Counting took too long, so this is the collection's estimate" multiline maw={260}>
                    <Text span c="dimmed" size="xs" ml={6} style={{ textDecoration: 'underline dotted' }}>
                      estimate
                    </Text>
                  </Tooltip>
                )}
              </>
            ) : users.isError ? (
              'The users collection could not be read'
            ) : (
              'Counting users…'
            )}
          </Text>
        </div>
        <UserSearch ref={searchRef} onOpen={open} />
      </Group>

      <Paper withBorder radius="md" p="sm">
        <UserFiltersBar filters={state.filters} onChange={(filters) => set({ filters, page: 0 })} />
      </Paper>

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
              onSort={(sort, descending) => set({ sort, descending, page: 0 })}
              onOpen={open}
              loading={users.isPending}
              stale={users.isPlaceholderData}
              style={{ flex: rows.length === 0 && !users.isPending ? '0 0 auto' : 1, minHeight: 0 }}
            />
            {!users.isPending && rows.length === 0 && (
              <Stack align="center" gap="xs" py="xl" data-testid="users-empty" style={{ flex: 1 }}>
                <IconUsers size={32} stroke={1.4} color="var(--mantine-color-dimmed)" />
                <Text fw={600}>{filtered ? 'No users match these filters' : state.page > 0 ? 'No users on this page' : 'No users yet'}</Text>
                <Text size="sm" c="dimmed" ta="center" maw={420}>
                  {filtered
                    ? 'Loosen or clear the filters to see more users.'
                    : state.page > 0
                      ? 'This page is past the end of the list.'
                      : 'The users collection is empty. Seed demo data from the Overview to try the console.'}
                </Text>
                {filtered ? (
                  <Button size="xs" variant="light" onClick={() => set({ filters: NO_FILTERS, page: 0 })}>
                    Clear filters
                  </Button>
                ) : (
                  state.page > 0 && (
                    <Button size="xs" variant="light" onClick={() => set({ page: 0 })}>
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
                set({ pageSize, page: Math.floor((state.page * state.pageSize) / pageSize) });
              }}
              aria-label="Rows per page"
              data-testid="page-size"
            />
          </Group>
          <Group gap={6} wrap="nowrap">
            <Text size="sm" c="dimmed" style={{ fontVariantNumeric: 'tabular-nums' }} data-testid="page-range">
              {rows.length > 0
                ? `${formatCount(firstRow)}–${formatCount(firstRow + rows.length - 1)}${
                    total?.value != null ? ` of ${total.exact ? '' : 'about '}${formatCount(total.value)}` : ''
                  }`
                : `Page ${formatCount(state.page + 1)}`}
            </Text>
            <Tooltip label="First page">
              <ActionIcon variant="subtle" color="gray" disabled={state.page === 0} onClick={() => set({ page: 0 })} aria-label="First page">
                <IconChevronsLeft size={16} />
              </ActionIcon>
            </Tooltip>
            <Tooltip label="Previous page">
              <ActionIcon
                variant="subtle"
                color="gray"
                disabled={state.page === 0}
                onClick={() => set({ page: state.page - 1 })}
                aria-label="Previous page"
                data-testid="page-prev"
              >
                <IconChevronLeft size={16} />
              </ActionIcon>
            </Tooltip>
            <Tooltip label="Next page">
              <ActionIcon
                variant="subtle"
                color="gray"
                disabled={!hasNext || users.isPlaceholderData}
                onClick={() => set({ page: state.page + 1 })}
                aria-label="Next page"
                data-testid="page-next"
              >
                <IconChevronRight size={16} />
              </ActionIcon>
            </Tooltip>
            <Tooltip label={total?.exact ? 'Last page' : 'The total is an estimate'}>
              <ActionIcon
                variant="subtle"
                color="gray"
                disabled={!total?.exact || pageCount === null || state.page + 1 >= pageCount}
                onClick={() => pageCount !== null && set({ page: pageCount - 1 })}
                aria-label="Last page"
              >
                <IconChevronsRight size={16} />
              </ActionIcon>
            </Tooltip>
            <Tooltip label="Reload">
              <ActionIcon
                variant="subtle"
                color="gray"
                loading={users.isFetching && !users.isPending}
                onClick={() => void users.refetch()}
                aria-label="Reload users"
                data-testid="users-refresh"
              >
                <IconRefresh size={16} />
              </ActionIcon>
            </Tooltip>
          </Group>
        </Group>
      </Paper>
    </Stack>
  );
}

const EMPTY: UserRow[] = [];
