import { Alert, Button, Divider, Group, Paper, SegmentedControl, Select, Stack, Text, Title, Input } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import {
  IconAlertTriangle,
  IconCalendar,
  IconFilterOff,
  IconInbox,
  IconSend,
} from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { CursorPager } from '../../components/CursorPager';
import * as backend from '../../backend';
import type { FeedRow, NotificationRef, UserLabel } from '../../backend';
import { NOTIFICATION_TTL_SECONDS, NOTIFICATION_TYPES } from '../../bindings';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Section, SectionError, SectionSkeleton } from '../../components/Section';
import { WriteButton } from '../../components/WriteButton';
import { formatCount, plural } from '../../format';
import { queryKeys } from '../../queries';
import { ExportMenu } from '../../components/ExportMenu';
import { BulkActions } from './BulkActions';
import { ComposeModal } from './ComposeModal';
import {
  activeFeedFilterCount,
  FEED_PAGE_SIZE,
  filtersForBar,
  NO_FEED_FILTERS,
  toFeedQuery,
  type FeedFilters,
  type FeedState,
  type ReadFilter,
} from './feedState';
import { FeedTable } from './FeedTable';
import { NotificationChart } from './NotificationChart';
import { UserPicker } from './UserPicker';
import { onlyShown } from '../../components/selection';

interface Props {
  state: FeedState;
  onStateChange: (s: FeedState) => void;
  onOpenUser: (userId: string) => void;
}

const dateProps = {
  valueFormat: 'YYYY-MM-DD',
  clearable: true,
  size: 'xs',
  w: 132,
  leftSection: <IconCalendar size={14} />,
  placeholder: 'YYYY-MM-DD',
  popoverProps: { withinPortal: true },
} as const;

/** Every user's notifications: filters, a 30-day chart, bulk actions and composing. */
export function NotificationsScreen({ state, onStateChange, onOpenUser }: Props) {
  const query = toFeedQuery(state);
  const feed = useQuery({
    queryKey: queryKeys.notificationFeed(query),
    queryFn: () => backend.notificationFeed(query),
    placeholderData: keepPreviousData,
  });
  /** Selected notification ids; only those among the rows shown now count. */
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set());
  const [composing, setComposing] = useState(false);

  // A new page or new filters start a new selection.
  const queryHash = JSON.stringify(query);
  useEffect(() => setSelected(new Set()), [queryHash]);

  const page = feed.data;
  const rows = page?.rows ?? EMPTY;
  // The page's users by id, once per page: the table's memoized rows each
  // take their user's label and re-render only when it changes.
  const pageUsers = page?.users;
  const users = useMemo(() => new Map<string, UserLabel>((pageUsers ?? []).map((u) => [u.id, u])), [pageUsers]);
  // The rows shown are the previous query's while the next page or new filters
  // load (or there are none yet): they can be neither selected nor changed.
  const stale = feed.isPending || feed.isPlaceholderData;
  // What the bulk actions act on: the selected rows among those shown now.
  const selectedRows = useMemo(() => (stale ? EMPTY : rows.filter((r) => selected.has(r.id))), [stale, rows, selected]);
  const selectedIds = useMemo(() => new Set(selectedRows.map((r) => r.id)), [selectedRows]);
  const refs = useMemo<NotificationRef[]>(() => selectedRows.map((r) => ({ user_id: r.user_id, id: r.id })), [selectedRows]);
  // New rows drop what they no longer show, so it cannot come back selected.
  useEffect(() => {
    if (!stale) setSelected((s) => onlyShown(s, rows));
  }, [stale, rows]);
  const pageIndex = state.cursors.length;
  const next = feed.isPlaceholderData ? null : (page?.next ?? null);
  const filtered = activeFeedFilterCount(state.filters) > 0;
  const setFilters = (filters: FeedFilters) => onStateChange({ cursors: [], filters });
  const set = <K extends keyof FeedFilters>(key: K, value: FeedFilters[K]) => setFilters({ ...state.filters, [key]: value });

  const toggle = (r: FeedRow) => {
    if (stale) return;
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(r.id)) n.delete(r.id);
      else n.add(r.id);
      return n;
    });
  };
  const toggleAll = (select: boolean) => {
    if (stale) return;
    setSelected(select ? new Set(rows.map((r) => r.id)) : new Set());
  };
  const firstRow = pageIndex * FEED_PAGE_SIZE + 1;

  return (
    <Stack gap="md" data-testid="notifications">
      <Group justify="space-between" align="flex-end" wrap="nowrap">
        <div>
          <Title order={2}>Notifications</Title>
          <TtlLine />
        </div>
        <Group gap="sm" wrap="nowrap">
          <ExportMenu
            name="notifications"
            runKey="feed"
            what="Every notification the filters match"
            noun={['notification', 'notifications']}
            run={(target, onProgress) => backend.exportFeed(query, target, onProgress)}
            testId="feed-export"
          />
          <WriteButton leftSection={<IconSend size={16} />} onClick={() => setComposing(true)} data-testid="feed-compose">
            Send notification
          </WriteButton>
        </Group>
      </Group>

      <ChartSection onBar={(type, day) => setFilters(filtersForBar(state.filters, type, day))} />

      <Paper withBorder radius="md" p="sm">
        <Group gap="sm" align="flex-end" wrap="wrap" data-testid="feed-filters">
          <Select
            label="Type"
            size="xs"
            w={150}
            placeholder="Any type"
            data={[...new Set([...NOTIFICATION_TYPES, ...(state.filters.type ? [state.filters.type] : [])])]}
            value={state.filters.type}
            onChange={(v) => set('type', v || null)}
            clearable
            data-testid="feed-type-filter"
          />
          <Input.Wrapper label="State" size="xs">
            <SegmentedControl
              size="xs"
              display="flex"
              data={[
                { value: 'all', label: 'All' },
                { value: 'unread', label: 'Unread' },
                { value: 'read', label: 'Read' },
              ]}
              value={state.filters.read}
              onChange={(v) => set('read', v as ReadFilter)}
              data-testid="feed-read-filter"
            />
          </Input.Wrapper>
          <DateInput
            {...dateProps}
            label="Created from"
            value={state.filters.createdFrom}
            maxDate={state.filters.createdTo ?? undefined}
            onChange={(v) => set('createdFrom', v || null)}
            data-testid="feed-created-from"
          />
          <DateInput
            {...dateProps}
            label="Created to"
            value={state.filters.createdTo}
            minDate={state.filters.createdFrom ?? undefined}
            onChange={(v) => set('createdTo', v || null)}
            data-testid="feed-created-to"
          />
          <UserPicker label="User" value={state.filters.user} onChange={(u) => set('user', u)} testId="feed-user-filter" />
          {filtered && (
            <Button
              size="xs"
              variant="subtle"
              color="gray"
              leftSection={<IconFilterOff size={14} />}
              onClick={() => setFilters(NO_FEED_FILTERS)}
              data-testid="feed-filters-clear"
            >
              Clear filters
            </Button>
          )}
        </Group>
      </Paper>

      <Paper withBorder radius="md" style={{ display: 'flex', flexDirection: 'column', overflow: 'hidden' }}>
        <Group justify="space-between" px="md" py={8} wrap="nowrap">
          <Text size="sm" c="dimmed" data-testid="feed-selection">
            {refs.length > 0 ? `${plural(refs.length, 'notification')} selected` : 'Select notifications to change them'}
          </Text>
          <BulkActions selected={refs} onDone={() => setSelected(new Set())} />
        </Group>
        <Divider />
        {feed.isError && (
          <Stack p="sm">
            <ErrorAlert error={feed.error} onRetry={() => void feed.refetch()} testId="feed-error" />
          </Stack>
        )}
        <FeedTable
          rows={rows}
          users={users}
          selected={selectedIds}
          onToggle={toggle}
          onToggleAll={toggleAll}
          onOpenUser={onOpenUser}
          loading={feed.isPending}
          stale={feed.isPlaceholderData}
          fetchedAt={feed.dataUpdatedAt}
          style={{ height: rows.length === 0 ? undefined : 'min(60dvh, 560px)' }}
        />
        {!feed.isPending && !feed.isError && rows.length === 0 && (
          <Stack align="center" gap="xs" py="xl" data-testid="feed-empty">
            <IconInbox size={32} stroke={1.4} color="var(--mantine-color-dimmed)" />
            <Text fw={600}>{filtered ? 'No notifications match these filters' : pageIndex > 0 ? 'No notifications on this page' : 'No notifications'}</Text>
            {filtered && (
              <Button size="xs" variant="light" onClick={() => setFilters(NO_FEED_FILTERS)}>
                Clear filters
              </Button>
            )}
          </Stack>
        )}
        <Divider />
        <Group justify="flex-end" px="md" py={8} gap={6} wrap="nowrap" data-testid="feed-pagination">
          <Text size="sm" c="dimmed" style={{ fontVariantNumeric: 'tabular-nums' }} data-testid="feed-page-range">
            {rows.length > 0 ? `${formatCount(firstRow)}–${formatCount(firstRow + rows.length - 1)}` : `Page ${formatCount(pageIndex + 1)}`}
          </Text>
          <CursorPager
            pageIndex={pageIndex}
            hasNext={next !== null}
            onFirst={() => onStateChange({ ...state, cursors: [] })}
            onPrevious={() => onStateChange({ ...state, cursors: state.cursors.slice(0, -1) })}
            onNext={() => next && onStateChange({ ...state, cursors: [...state.cursors, next] })}
            onReload={() => void feed.refetch()}
            reloading={feed.isFetching && !feed.isPending}
            reloadLabel="Reload notifications"
            testIds={{ previous: 'feed-prev', next: 'feed-next', reload: 'feed-refresh' }}
          />
        </Group>
      </Paper>

      <ComposeModal opened={composing} onClose={() => setComposing(false)} initialUser={state.filters.user} />
    </Stack>
  );
}

/** The TTL index: a warning when it is not what the platform expects, else one quiet line. */
function TtlLine() {
  const ttl = useQuery({ queryKey: queryKeys.notificationTtl, queryFn: () => backend.notificationTtl(), staleTime: 60_000 });
  if (ttl.data?.warning) {
    return (
      <Alert color="yellow" variant="light" mt={6} py={6} icon={<IconAlertTriangle size={16} />} data-testid="ttl-warning">
        <Text size="sm">{ttl.data.warning}</Text>
      </Alert>
    );
  }
  if (!ttl.data) return null;
  const days = Math.round((ttl.data.expire_after_seconds ?? NOTIFICATION_TTL_SECONDS) / 86_400);
  return (
    <Text size="sm" c="dimmed" mt={4} data-testid="ttl-info">
      Notifications expire after {plural(days, 'day')} (TTL index)
    </Text>
  );
}

function ChartSection({ onBar }: { onBar: (type: string, day: string) => void }) {
  const chart = useQuery({ queryKey: queryKeys.notificationChart, queryFn: () => backend.notificationChart() });
  return (
    <Section title="Last 30 days" meta="click a bar to filter the feed" testId="notification-chart-section">
      {chart.isPending ? (
        <SectionSkeleton lines={4} testId="chart-loading" />
      ) : chart.isError ? (
        <SectionError error={chart.error} onRetry={() => void chart.refetch()} testId="chart-error" />
      ) : (
        <NotificationChart rows={chart.data} onBar={onBar} />
      )}
    </Section>
  );
}

const EMPTY: FeedRow[] = [];

