// How index facts read in the index health screen.

import type { FixScope, IndexCheck, IndexState, PlannedIndex } from '../../backend';
import { formatCount, plural } from '../../format';

export const STATE_LABELS: Record<IndexState, { label: string; color: string }> = {
  ok: { label: 'ok', color: 'teal' },
  missing: { label: 'missing', color: 'red' },
  missing_unique: { label: 'missing unique', color: 'red' },
  ttl_mismatch: { label: 'TTL mismatch', color: 'orange' },
  extra: { label: 'extra', color: 'gray' },
  redundant: { label: 'redundant', color: 'yellow' },
  unused: { label: 'unused', color: 'yellow' },
  // No verdict yet: never styled as a finding.
  too_early: { label: 'too early to tell', color: 'gray' },
  building: { label: 'building', color: 'blue' },
  suggested: { label: 'suggested', color: 'blue' },
  options_differ: { label: 'options differ', color: 'red' },
};

/** States that are no finding about the index: drawn light, never offered for a drop. */
export const NO_VERDICT: readonly IndexState[] = ['too_early', 'building'];

/**
 * The name of an index the screen offers to drop (the backend says which), or null. Never
 * one too new to judge or still building, whatever else is said.
 */
export function droppableName(check: IndexCheck): string | null {
  return check.droppable && !NO_VERDICT.includes(check.state) ? check.name : null;
}

/** How the fix brings a planned index about, in words. */
export function methodText(p: PlannedIndex): string {
  const method: NonNullable<PlannedIndex['method']> = p.method ?? 'build';
  switch (method) {
    case 'build':
      return 'built';
    case 'in_place':
      return 'changed in place: nothing dropped';
    case 'build_then_drop':
      return `built first, then ${p.replaces ?? 'the old one'} dropped`;
    case 'drop_then_build':
      return `${p.replaces ?? 'the old one'} dropped first (this server cannot hold both), put back if the build fails`;
  }
}

/** `2592000` → `30 days`; seconds when not whole days. */
export function formatTtl(seconds: number): string {
  return seconds % 86_400 === 0 ? plural(seconds / 86_400, 'day') : `${formatCount(seconds)} s`;
}

/** What a fix modal is about, for its title. */
export function scopeTitle(scope: FixScope): string {
  switch (scope.scope) {
    case 'all':
      return 'Fix every collection';
    case 'collection':
      return `Fix ${scope.collection}`;
    case 'one':
      return `Fix ${scope.collection} ${scope.keys}`;
  }
}

/** A score's colour: presentation only, the score itself is the backend's. */
export function scoreColor(score: number | null): string {
  if (score === null) return 'gray';
  return score >= 100 ? 'teal' : score >= 60 ? 'yellow' : 'red';
}
