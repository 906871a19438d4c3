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
