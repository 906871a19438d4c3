// The exports under way, app-wide: a table's Export menu shows its own run
// again when the admin comes back to the screen, and the header lists every
// run with its Cancel, wherever the admin has gone since.

import { useSyncExternalStore } from 'react';

export interface RunningExport {
  /** The id `cancelRun` stops it by. */
  runId: string;
  /** Which table's export it is, app-wide. */
  key: string;
  /** The table it exports, as the header names it (its file's name). */
  table: string;
  /** What it exports, as its menu says. */
  what: string;
  written: number;
}

let runs: readonly RunningExport[] = [];
const listeners = new Set<() => void>();

function set(next: readonly RunningExport[]) {
  runs = next;
  listeners.forEach((l) => l());
}

export const runningExports = {
  start: (run: Omit<RunningExport, 'written'>) => set([...runs, { ...run, written: 0 }]),
  progress: (runId: string, written: number) => set(runs.map((r) => (r.runId === runId ? { ...r, written } : r))),
  end: (runId: string) => set(runs.filter((r) => r.runId !== runId)),
};

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

/** Every export under way. */
export function useRunningExports(): readonly RunningExport[] {
  return useSyncExternalStore(subscribe, () => runs);
}
