import { notifications } from '@mantine/notifications';
import { useMutation } from '@tanstack/react-query';
import * as backend from '../../backend';
import type { Chart } from '../../backend';
import { utcDay } from '../../format';

/**
 * "Export CSV": the native save dialog, then the backend writes the chart's
 * numbers there. A cancelled dialog does nothing; failures are toasted by
 * the MutationCache.
 */
export function useChartCsv() {
  return useMutation({
    mutationFn: async (chart: Chart): Promise<string | null> => {
      const path = await backend.chooseCsvPath(`${chart.id}-${utcDay(chart.computed_at) ?? 'chart'}.csv`);
      if (!path) return null;
      await backend.saveChartCsv(chart, path);
      return path;
    },
    onSuccess: (path) => {
      if (path) notifications.show({ color: 'teal', title: 'CSV saved', message: path });
    },
  });
}
