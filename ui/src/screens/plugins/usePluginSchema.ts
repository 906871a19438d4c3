import { useQuery } from '@tanstack/react-query';
import * as backend from '../../backend';
import { queryKeys } from '../../queries';

/** A collection's sampled schema (also the status values of the Browse tab). */
export function usePluginSchema(collection: string) {
  return useQuery({ queryKey: queryKeys.pluginSchema(collection), queryFn: () => backend.pluginSchema(collection), staleTime: 60_000 });
}
