import type { Environment, Profile, Topology } from './backend';

const counts = new Intl.NumberFormat('en-US');

/** `1234567` → `1,234,567`. */
export function formatCount(n: number): string {
  return counts.format(n);
}

/** The MozaiksCore database an environment uses unless a profile overrides it. */
export function defaultDatabase(environment: Environment): string {
  return environment === 'production' ? 'client' : 'MozaiksCore';
}

/** The database a profile opens. */
export function profileDatabase(profile: Pick<Profile, 'database' | 'environment'>): string {
  return profile.database ?? defaultDatabase(profile.environment);
}

const TOPOLOGY: Record<Topology, string> = {
  standalone: 'Standalone',
  replica_set: 'Replica set',
  sharded: 'Sharded cluster',
  load_balanced: 'Load balanced',
};

export function formatTopology(t: Topology): string {
  return TOPOLOGY[t] ?? t;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** `1234` → `1,234 users`; an estimate → `about 1.2M users`. */
export function formatTotal(total: { value: number | null; exact: boolean }, singular: string, plural = `${singular}s`): string {
  if (total.value === null) return `an unknown number of ${plural}`;
  const noun = total.value === 1 ? singular : plural;
  return total.exact ? `${formatCount(total.value)} ${noun}` : `about ${compact.format(total.value)} ${noun}`;
}

/** `1 document`, `2,000 documents`. */
export function plural(n: number, singular: string, many = `${singular}s`): string {
  return `${formatCount(n)} ${n === 1 ? singular : many}`;
}

const DAY = 86_400_000;

/** Parses an RFC 3339 string; null for absent or unreadable values. */
export function parseDate(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Local date and time, unambiguous: `2025-03-14 09:26`. */
export function formatDateTime(iso: string | null | undefined): string {
  const d = parseDate(iso);
  if (!d) return iso ?? '—';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Local date only: `2025-03-14`. */
export function formatDate(iso: string | null | undefined): string {
  const d = parseDate(iso);
  if (!d) return iso ?? '—';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The full instant for a tooltip: local with its zone, and UTC. */
// Built once: a formatter costs more to make than a table row to render.
const INSTANT = new Intl.DateTimeFormat('en-GB', { dateStyle: 'full', timeStyle: 'long' });

export function formatInstant(iso: string): string {
  const d = parseDate(iso);
  if (!d) return iso;
  const local = INSTANT.format(d);
  return `${local} · ${d.toISOString().replace('.000Z', 'Z')}`;
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * DAY],
  ['month', 30 * DAY],
  ['week', 7 * DAY],
  ['day', DAY],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** `3 days ago`, `in 2 months`, `just now`. */
export function formatRelative(iso: string | null | undefined, now: number = Date.now()): string {
  const d = parseDate(iso);
  if (!d) return iso ?? '—';
  const diff = d.getTime() - now;
  const abs = Math.abs(diff);
  if (abs < 60_000) return 'just now';
  for (const [unit, ms] of UNITS) {
    if (abs >= ms) return relative.format(Math.trunc(diff / ms), unit);
  }
  return 'just now';
}

/** Whole days from now to `iso` (negative in the past), rounded towards zero. */
export function daysFromNow(iso: string, now: number = Date.now()): number {
  const d = parseDate(iso);
  return d ? Math.trunc((d.getTime() - now) / DAY) : 0;
}

/** A subscription's expiry in words: `12 days left`, `expired 3 days ago`. */
export function describeExpiry(iso: string, now: number = Date.now()): { expired: boolean; text: string } {
  const d = parseDate(iso);
  if (!d) return { expired: false, text: iso };
  const days = daysFromNow(iso, now);
  if (d.getTime() < now) {
    const ago = -days;
    return { expired: true, text: ago === 0 ? 'expired today' : `expired ${plural(ago, 'day')} ago` };
  }
  return { expired: false, text: days === 0 ? 'expires today' : `${plural(days, 'day')} left` };
}

/** A `YYYY-MM-DD` date input value as the RFC 3339 instant the backend takes (UTC midnight). */
export function dayStart(day: string): string {
  return `${day}T00:00:00Z`;
}

/** The last second of a `YYYY-MM-DD` day, UTC: an inclusive upper bound. */
export function dayEnd(day: string): string {
  return `${day}T23:59:59Z`;
}

/** The UTC `YYYY-MM-DD` of an RFC 3339 string (for date inputs). */
export function utcDay(iso: string | null | undefined): string | null {
  const d = parseDate(iso);
  return d ? d.toISOString().slice(0, 10) : null;
}

/** JSON text pretty-printed with two spaces; unparseable text comes back as is. */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** The UTC day after a `YYYY-MM-DD` day, as `YYYY-MM-DD`. */
export function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** A bulk write's outcome for a toast: `3 matched, 2 modified` (`?` where the server did not say). */
export function formatBulkResult(r: { matched: number | null; modified: number | null }): string {
  const n = (v: number | null) => (v === null ? '?' : formatCount(v));
  return `${n(r.matched)} matched, ${n(r.modified)} modified`;
}

/** `1536` → `1.5 KB` (binary units). */
export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
