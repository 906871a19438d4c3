import { ActionIcon, Badge, Checkbox, Group, Table, Text, Tooltip } from '@mantine/core';
import { IconChevronLeft, IconChevronRight, IconInbox } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import * as backend from '../../backend';
import type { NotificationRef, NotificationRow } from '../../backend';
import { RelativeDate } from '../../components/DateText';
import { EmptyState, Section, SectionError, SectionSkeleton } from '../../components/Section';
import { formatCount, plural } from '../../format';
import { BulkActions } from '../notifications/BulkActions';
import { queryKeys } from '../../queries';
import { NOTIFICATIONS_PAGE_SIZE } from './useUser';
import { onlyShown } from '../../components/selection';

const KIND_COLORS: Record<string, string> = {
  task_reminder: 'grape',
  mention: 'blue',
  system: 'gray',
  billing: 'orange',
  security: 'red',
};

export function NotificationsSection({ userId }: { userId: string }) {
  const [page, setPage] = useState(0);
  /** Selected notification ids; only those among the rows shown now count. */
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set());
  const goTo = (p: number) => {
    setSelected(new Set());
    setPage(p);
  };
  const notifications = useQuery({
    queryKey: queryKeys.userNotifications(userId, page),
    queryFn: () => backend.userNotifications(userId, page, NOTIFICATIONS_PAGE_SIZE),
    placeholderData: keepPreviousData,
  });
  const data = notifications.data;
  const total = data?.total ?? null;
  const pages = total !== null ? Math.max(1, Math.ceil(total / NOTIFICATIONS_PAGE_SIZE)) : null;
  const rows = data?.rows ?? NO_ROWS;
  // The rows shown are the previous page's while the next one loads: they can
  // be neither selected nor changed.
  const stale = notifications.isPending || notifications.isPlaceholderData;
  // Only what is on the page shown counts (a refetch may have removed some);
  // the bulk actions act on nothing while the rows are stale.
  const selectedRows = useMemo(() => (stale ? NO_ROWS : rows.filter((n) => selected.has(n.id))), [stale, rows, selected]);
  const refs = useMemo<NotificationRef[]>(() => selectedRows.map((n) => ({ user_id: userId, id: n.id })), [selectedRows, userId]);
  const isSelected = (id: string) => selectedRows.some((n) => n.id === id);
  // New rows drop what they no longer show, so it cannot come back selected.
  useEffect(() => {
    if (!stale) setSelected((s) => onlyShown(s, rows));
  }, [stale, rows]);
  const toggle = (id: string) => {
    if (stale) return;
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  };
  const toggleAll = (select: boolean) => {
    if (stale) return;
    setSelected(select ? new Set(rows.map((n) => n.id)) : new Set());
  };

  return (
    <Section
      title="Notifications"
      icon={<IconInbox size={16} />}
      testId="section-notifications"
      padded={false}
      meta={
        data &&
        data.total !== 0 && (
          <span data-testid="notifications-summary">
            {data.unread !== null && data.total !== null
              ? `${formatCount(data.unread)} unread of ${formatCount(data.total)}`
              : data.total !== null
                ? `${formatCount(data.total)} in all`
                : ''}
          </span>
        )
      }
      actions={
        <>
          {rows.length > 0 && (
            <Group gap="xs" wrap="nowrap" data-testid="notifications-bulk">
              {refs.length > 0 && (
                <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                  {plural(refs.length, 'selected', 'selected')}
                </Text>
              )}
              <BulkActions selected={refs} onDone={() => setSelected(new Set())} />
            </Group>
          )}
          {pages !== null && pages > 1 && (
          <Group gap={4} wrap="nowrap">
            <Text size="xs" c="dimmed" style={{ fontVariantNumeric: 'tabular-nums' }}>
              Page {page + 1} of {formatCount(pages)}
            </Text>
            <Tooltip label="Newer">
              <ActionIcon variant="subtle" color="gray" size="sm" disabled={page === 0} onClick={() => goTo(page - 1)} aria-label="Newer notifications">
                <IconChevronLeft size={14} />
              </ActionIcon>
            </Tooltip>
            <Tooltip label="Older">
              <ActionIcon
                variant="subtle"
                color="gray"
                size="sm"
                disabled={page + 1 >= pages || notifications.isPlaceholderData}
                onClick={() => goTo(page + 1)}
                aria-label="Older notifications"
                data-testid="notifications-next"
              >
                <IconChevronRight size={14} />
              </ActionIcon>
            </Tooltip>
          </Group>
          )}
        </>
      }
    >
      {notifications.isPending ? (
        <div style={{ padding: 'var(--mantine-spacing-md)' }}>
          <SectionSkeleton lines={4} testId="notifications-loading" />
        </div>
      ) : notifications.isError ? (
        <div style={{ padding: 'var(--mantine-spacing-md)' }}>
          <SectionError error={notifications.error} onRetry={() => void notifications.refetch()} testId="notifications-error" />
        </div>
      ) : notifications.data.rows.length === 0 ? (
        <EmptyState testId="notifications-empty">{page > 0 ? 'No notifications on this page.' : 'This user has no notifications.'}</EmptyState>
      ) : (
        <Table.ScrollContainer minWidth={640} maxHeight={440} type="native">
          <Table
            verticalSpacing={8}
            horizontalSpacing="md"
            layout="fixed"
            stickyHeader
            data-testid="notifications-table"
            style={{ opacity: notifications.isPlaceholderData ? 0.6 : 1 }}
          >
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={40}>
                  <Checkbox
                    size="xs"
                    aria-label="Select every notification on this page"
                    checked={rows.length > 0 && selectedRows.length === rows.length}
                    indeterminate={selectedRows.length > 0 && selectedRows.length < rows.length}
                    disabled={stale}
                    onChange={(e) => toggleAll(e.currentTarget.checked)}
                    data-testid="notifications-select-all"
                  />
                </Table.Th>
                <Table.Th w={130}>Type</Table.Th>
                <Table.Th w="28%">Title</Table.Th>
                <Table.Th>Message</Table.Th>
                <Table.Th w={100}>Status</Table.Th>
                <Table.Th w={120}>Created</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {notifications.data.rows.map((n) => (
                <Table.Tr key={n.id} data-testid="notification-row" data-id={n.id} data-read={n.read}>
                  <Table.Td>
                    <Checkbox
                      size="xs"
                      aria-label={`Select “${n.title}”`}
                      checked={isSelected(n.id)}
                      disabled={stale}
                      onChange={() => toggle(n.id)}
                      data-testid="notification-select"
                    />
                  </Table.Td>
                  <Table.Td>
                    <Badge size="sm" variant="light" tt="none" color={KIND_COLORS[n.kind] ?? 'gray'} maw="100%" title={n.kind}>
                      {n.kind ? n.kind.replace(/_/g, ' ') : 'none'}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" fw={n.read ? 400 : 600} truncate="end" title={n.title}>
                      {n.title}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c="dimmed" truncate="end" title={n.message}>
                      {n.message}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {n.read ? (
                      <Text size="sm" c="dimmed" pl={4}>
                        read
                      </Text>
                    ) : (
                      <Badge size="sm" variant="dot" tt="none" color="blue">
                        unread
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <RelativeDate iso={n.created_at} size="xs" c="dimmed" />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Section>
  );
}

const NO_ROWS: NotificationRow[] = [];

