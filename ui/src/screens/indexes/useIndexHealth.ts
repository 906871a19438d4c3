import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import * as backend from '../../backend';
import type { HealthProgress } from '../../backend';
import { queryKeys } from '../../queries';

/**
 * The index health report: computed on each visit and on Refresh only (it
 * reads every collection's indexes and usage), with the backend's progress
 * while it runs.
 */
export function useIndexHealth() {
  const [progress, setProgress] = useState<HealthProgress | null>(null);
  const report = useQuery({
    queryKey: queryKeys.indexHealth,
    queryFn: () => {
      setProgress(null);
      return backend.indexHealth(setProgress);
    },
    staleTime: Infinity,
    refetchOnMount: 'always',
  });
  return { report, progress: report.isFetching ? progress : null };
}
