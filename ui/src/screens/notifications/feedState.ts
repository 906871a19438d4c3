// The notification feed's state (filters and page cursors), kept by App so it
// survives a visit to a user's 360 view, and its translation to `FeedQuery`.

import type { FeedQuery } from '../../backend';
import { dayStart, nextDay } from '../../format';

export const FEED_PAGE_SIZE = 50;

export type ReadFilter = 'all' | 'unread' | 'read';

export interface FeedFilters {
  type: string | null;
  read: ReadFilter;
  /** `YYYY-MM-DD` (UTC days), both inclusive. */
  createdFrom: string | null;
  createdTo: string | null;
  /** One user's notifications; `label` is what the filter shows (an email). */
  user: { id: string; label: string } | null;
}

export interface FeedState {
  /** The `after` cursor of every page past the first, in order; empty on the first page. */
  cursors: string[];
  filters: FeedFilters;
}

export const NO_FEED_FILTERS: FeedFilters = { type: null, read: 'all', createdFrom: null, createdTo: null, user: null };

export function initialFeedState(): FeedState {
  return { cursors: [], filters: NO_FEED_FILTERS };
}

export function activeFeedFilterCount(f: FeedFilters): number {
  return [f.type, f.read === 'all' ? null : f.read, f.createdFrom, f.createdTo, f.user].filter((v) => v !== null).length;
}

export function toFeedQuery(s: FeedState): FeedQuery {
  const f = s.filters;
  return {
    type: f.type,
    read: f.read === 'all' ? null : f.read === 'read',
    created_from: f.createdFrom ? dayStart(f.createdFrom) : null,
    // The backend's upper bound is exclusive: the next day's midnight keeps the whole last day.
    created_to: f.createdTo ? dayStart(nextDay(f.createdTo)) : null,
    user_id: f.user?.id ?? null,
    after: s.cursors.at(-1) ?? null,
    page_size: FEED_PAGE_SIZE,
  };
}

/** One bar of the chart: that type on that day (other filters stay). */
export function filtersForBar(f: FeedFilters, type: string, day: string): FeedFilters {
  return { ...f, type, createdFrom: day, createdTo: day };
}

/** The feed filtered to what a dashboard bar counted: one type, read or unread (nothing else). */
export function feedFiltersFromDrill(type: string | null, read: boolean | null): FeedFilters {
  return { ...NO_FEED_FILTERS, type, read: read === null ? 'all' : read ? 'read' : 'unread' };
}
