// The queries of the 360 view. Each section calls its own, so the sections
// load in parallel and fail on their own.

import { useQuery } from '@tanstack/react-query';
import * as backend from '../../backend';
import { queryKeys } from '../../queries';

export const NOTIFICATIONS_PAGE_SIZE = 25;
export const PLUGIN_DATA_PAGE_SIZE = 25;

export function useUserDetail(id: string) {
  return useQuery({ queryKey: queryKeys.userDetail(id), queryFn: () => backend.userDetail(id) });
}

export function useUserSettings(id: string) {
  return useQuery({ queryKey: queryKeys.userSettings(id), queryFn: () => backend.userSettings(id) });
}

export function usePluginCollections() {
  return useQuery({ queryKey: queryKeys.pluginCollections, queryFn: () => backend.pluginCollections(), staleTime: 60_000 });
}

/** Initials for the avatar: `Ada Lovelace` → `AL`, `ada.l@x` → `AD`. */
export function initials(name: string): string {
  const words = name
    .replace(/@.*$/, '')
    .split(/[\s._-]+/)
    .filter(Boolean);
  if (words.length === 0) return '?';
  if (words.length === 1) return words[0].slice(0, 2).toUpperCase();
  return (words[0][0] + words[words.length - 1][0]).toUpperCase();
}
