// The users list's state (page cursors, size, sort, filters), kept by App so it
// survives a visit to a user's 360 view, and its translation to `UserQuery`.

import type { SubscriptionState, UserQuery, UserSortField } from '../../backend';
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
  /** `YYYY-MM-DD` (UTC days), from date inputs. */
  createdFrom: string | null;
  createdTo: string | null;
  lastLoginBefore: string | null;
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
    created_from: f.createdFrom ? dayStart(f.createdFrom) : null,
    created_to: f.createdTo ? dayEnd(f.createdTo) : null,
    last_login_before: f.lastLoginBefore ? dayStart(f.lastLoginBefore) : null,
  };
}
