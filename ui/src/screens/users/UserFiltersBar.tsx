import { Button, Group, Select, Tooltip } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { IconCalendar, IconFilterOff } from '@tabler/icons-react';
import type { SubscriptionState } from '../../backend';
import { ROLES, TIERS } from '../../bindings';
import { formatInstant, utcDay } from '../../format';
import { activeFilterCount, isDay, NO_FILTERS, type UserFilters } from './usersState';

const SUBSCRIPTIONS: { value: SubscriptionState; label: string }[] = [
  { value: 'active', label: 'Active' },
  { value: 'expired', label: 'Expired' },
];

const dateProps = {
  valueFormat: 'YYYY-MM-DD',
  clearable: true,
  size: 'xs',
  w: 132,
  leftSection: <IconCalendar size={14} />,
  placeholder: 'YYYY-MM-DD',
  popoverProps: { withinPortal: true },
} as const;

/** The platform's values, and the one a dashboard bar set if it is not among them (`(none)`, a legacy role). */
const withValue = (known: readonly string[], value: string | null) => [...new Set([...known, ...(value ? [value] : [])])];

/** A date filter's day for its input: the filter itself, or the UTC day of a dashboard bar's instant. */
const dayOf = (value: string | null) => (value === null || isDay(value) ? value : utcDay(value));

/**
 * A date filter. A dashboard bar sets an exact instant (active in the last
 * 7 days counts from now less 7 days): the input shows its day, the tooltip
 * the instant; picking a day replaces it.
 */
function DateFilter({
  label,
  value,
  onChange,
  testId,
  w = 132,
  minDate,
  maxDate,
}: {
  label: string;
  value: string | null;
  onChange: (day: string | null) => void;
  testId: string;
  w?: number;
  minDate?: string | null;
  maxDate?: string | null;
}) {
  const exact = value !== null && !isDay(value);
  return (
    <Tooltip label={exact ? `From the dashboard: ${formatInstant(value)}` : ''} disabled={!exact} multiline maw={320}>
      <div>
        <DateInput
          {...dateProps}
          label={label}
          w={w}
          value={dayOf(value)}
          minDate={dayOf(minDate ?? null) ?? undefined}
          maxDate={dayOf(maxDate ?? null) ?? undefined}
          onChange={(v) => onChange(v || null)}
          data-testid={testId}
          data-exact={exact ? value : undefined}
        />
      </div>
    </Tooltip>
  );
}

/** The users list's filters; every change goes to the server as a new query. */
export function UserFiltersBar({ filters, onChange }: { filters: UserFilters; onChange: (f: UserFilters) => void }) {
  const set = <K extends keyof UserFilters>(key: K, value: UserFilters[K]) => onChange({ ...filters, [key]: value || null });
  const active = activeFilterCount(filters);
  return (
    <Group gap="sm" align="flex-end" wrap="wrap" data-testid="user-filters">
      <Select
        label="Role"
        size="xs"
        w={128}
        placeholder="Any role"
        data={withValue(ROLES, filters.role)}
        value={filters.role}
        onChange={(v) => set('role', v)}
        clearable
        data-testid="filter-role"
      />
      <Select
        label="Tier"
        size="xs"
        w={128}
        placeholder="Any tier"
        data={withValue(TIERS, filters.tier)}
        value={filters.tier}
        onChange={(v) => set('tier', v)}
        clearable
        data-testid="filter-tier"
      />
      <Select
        label="Subscription"
        size="xs"
        w={128}
        placeholder="Any"
        data={SUBSCRIPTIONS}
        value={filters.subscription}
        onChange={(v) => set('subscription', v as SubscriptionState | null)}
        clearable
        data-testid="filter-subscription"
      />
      <DateFilter
        label="Created from"
        value={filters.createdFrom}
        maxDate={filters.createdTo}
        onChange={(v) => set('createdFrom', v)}
        testId="filter-created-from"
      />
      <DateFilter
        label="Created to"
        value={filters.createdTo}
        minDate={filters.createdFrom}
        onChange={(v) => set('createdTo', v)}
        testId="filter-created-to"
      />
      <DateFilter
        label="Last login before"
        w={140}
        value={filters.lastLoginBefore}
        onChange={(v) => set('lastLoginBefore', v)}
        testId="filter-last-login"
      />
      <DateFilter
        label="Last login after"
        w={140}
        value={filters.lastLoginAfter}
        onChange={(v) => set('lastLoginAfter', v)}
        testId="filter-last-login-after"
      />
      {active > 0 && (
        <Button
          size="xs"
          variant="subtle"
          color="gray"
          leftSection={<IconFilterOff size={14} />}
          onClick={() => onChange(NO_FILTERS)}
          data-testid="filters-clear"
        >
          Clear {active > 1 ? `${active} filters` : 'filter'}
        </Button>
      )}
    </Group>
  );
}
