import { describe, expect, it } from 'vitest';
import { dayEnd, dayStart, describeExpiry, formatRelative, formatTotal, prettyJson, utcDay } from './format';

const NOW = Date.parse('2025-06-15T12:00:00Z');

describe('format', () => {
  it('words exact and estimated totals', () => {
    expect(formatTotal({ value: 1234, exact: true }, 'user')).toBe('1,234 users');
    expect(formatTotal({ value: 1, exact: true }, 'user')).toBe('1 user');
    expect(formatTotal({ value: 1_234_567, exact: false }, 'user')).toBe('about 1.2M users');
    expect(formatTotal({ value: 48_200, exact: false }, 'user')).toBe('about 48.2K users');
    expect(formatTotal({ value: null, exact: false }, 'user')).toBe('an unknown number of users');
  });

  it('counts days left and days since expiry', () => {
    expect(describeExpiry('2025-06-27T12:00:00Z', NOW)).toEqual({ expired: false, text: '12 days left' });
    expect(describeExpiry('2025-06-12T11:00:00Z', NOW)).toEqual({ expired: true, text: 'expired 3 days ago' });
    expect(describeExpiry('2025-06-15T11:00:00Z', NOW)).toEqual({ expired: true, text: 'expired today' });
    expect(describeExpiry('2025-06-16T11:00:00Z', NOW)).toEqual({ expired: false, text: 'expires today' });
  });

  it('says how long ago in words', () => {
    expect(formatRelative('2025-06-15T11:59:30Z', NOW)).toBe('just now');
    expect(formatRelative('2025-06-15T09:00:00Z', NOW)).toBe('3 hours ago');
    expect(formatRelative('2025-06-12T12:00:00Z', NOW)).toBe('3 days ago');
    expect(formatRelative('2024-06-01T12:00:00Z', NOW)).toBe('last year');
    expect(formatRelative(null, NOW)).toBe('—');
  });

  it('turns date inputs into RFC 3339 bounds and back', () => {
    expect(dayStart('2025-01-01')).toBe('2025-01-01T00:00:00Z');
    expect(dayEnd('2025-01-31')).toBe('2025-01-31T23:59:59Z');
    expect(utcDay('2025-01-31T23:30:00Z')).toBe('2025-01-31');
    expect(utcDay(null)).toBeNull();
  });

  it('pretty-prints JSON and leaves anything else alone', () => {
    expect(prettyJson('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyJson('{oops')).toBe('{oops');
  });
});
