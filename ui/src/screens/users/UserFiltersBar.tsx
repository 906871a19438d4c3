import { Button, Group, Select } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { IconCalendar, IconFilterOff } from '@tabler/icons-react';
import type { SubscriptionState } from '../../backend';
import { ROLES, TIERS } from '../../bindings';
import { activeFilterCount, NO_FILTERS, type UserFilters } from './usersState';

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
        data={[...ROLES]}
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
        data={[...TIERS]}
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
      <DateInput
        {...dateProps}
        label="Created from"
        value={filters.createdFrom}
        maxDate={filters.createdTo ?? undefined}
        onChange={(v) => set('createdFrom', v)}
        data-testid="filter-created-from"
      />
      <DateInput
        {...dateProps}
        label="Created to"
        value={filters.createdTo}
        minDate={filters.createdFrom ?? undefined}
        onChange={(v) => set('createdTo', v)}
        data-testid="filter-created-to"
      />
      <DateInput
        {...dateProps}
        label="Last login before"
        w={140}
        value={filters.lastLoginBefore}
        onChange={(v) => set('lastLoginBefore', v)}
        data-testid="filter-last-login"
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
