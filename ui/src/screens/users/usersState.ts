// The users list's state (page cursors, size, sort, filters), kept by App so it
// survives a visit to a user's 360 view, and its translation to `UserQuery`.

import type { SubscriptionState, UserFilter, UserQuery, UserSortField } from '../../backend';
import { MAX_PAGE } from '../../bindings';
import { dayEnd, dayStart } from '../../format';

/** The choices of rows per page; the backend caps a page at `MAX_PAGE`. */
export const PAGE_SIZES: readonly number[] = [25, 50, 100].filter((n) => n <= MAX_PAGE);
export const DEFAULT_PAGE_SIZE = 25;
/** localStorage key of the chosen page size. */
export const PAGE_SIZE_KEY = 'mozaiks-admin.users.page-size';

export interface UserFilters {
  role: string | null;
  tier: string | null;
  subscription: SubscriptionState | null;
  /**
   * `YYYY-MM-DD` (UTC days) from the date inputs, or the exact RFC 3339
   * instant a dashboard bar counted from (kept as is, so the list shows
   * exactly the bar's users).
   */
  createdFrom: string | null;
  createdTo: string | null;
  lastLoginBefore: string | null;
  lastLoginAfter: string | null;
}

export interface UsersListState {
  /**
   * The `after` cursor of every page past the first that was paged to, in
   * order: the last one is the current page's. Empty on the first page.
   */
  cursors: string[];
  pageSize: number;
  sort: UserSortField;
  descending: boolean;
  filters: UserFilters;
}

export const NO_FILTERS: UserFilters = {
  role: null,
  tier: null,
  subscription: null,
  createdFrom: null,
  createdTo: null,
  lastLoginBefore: null,
  lastLoginAfter: null,
};

export function storedPageSize(): number {
  try {
    const n = Number(localStorage.getItem(PAGE_SIZE_KEY));
    return PAGE_SIZES.includes(n) ? n : DEFAULT_PAGE_SIZE;
  } catch {
    return DEFAULT_PAGE_SIZE;
  }
}

export function rememberPageSize(n: number) {
  try {
    localStorage.setItem(PAGE_SIZE_KEY, String(n));
  } catch {
    // A full or disabled storage only loses the preference.
  }
}

/** How each sort reads in the UI. */
export const SORT_LABELS: Record<UserSortField, string> = {
  joined: 'Joined',
  created_at: 'Created',
  last_login: 'Last login',
  email: 'Email',
};

/** Newest sign-ups first, the remembered page size, no filters. */
export function initialUsersState(): UsersListState {
  return { cursors: [], pageSize: storedPageSize(), sort: 'joined', descending: true, filters: NO_FILTERS };
}

export function activeFilterCount(f: UserFilters): number {
  return Object.values(f).filter((v) => v !== null && v !== '').length;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Whether a date filter is a whole day from a date input (else an exact instant). */
export function isDay(value: string): boolean {
  return DAY.test(value);
}

/** A date filter as the instant the backend takes: a day through `bound`, an instant as it is. */
const instant = (value: string | null, bound: (day: string) => string) => (value === null ? null : isDay(value) ? bound(value) : value);

/** The list filtered to what a dashboard bar counted (and nothing else). */
export function filtersFromDrill(f: UserFilter): UserFilters {
  return {
    ...NO_FILTERS,
    role: f.role,
    tier: f.tier,
    subscription: f.subscription,
    createdFrom: f.created_from,
    createdTo: f.created_to,
    lastLoginAfter: f.last_login_after,
  };
}

export function toUserQuery(s: UsersListState): UserQuery {
  const f = s.filters;
  return {
    after: s.cursors.at(-1) ?? null,
    page_size: s.pageSize,
    sort: s.sort,
    descending: s.descending,
    role: f.role,
    tier: f.tier,
    subscription: f.subscription,
    created_from: instant(f.createdFrom, dayStart),
    created_to: instant(f.createdTo, dayEnd),
    last_login_before: instant(f.lastLoginBefore, dayStart),
    last_login_after: instant(f.lastLoginAfter, dayStart),
  };
}
