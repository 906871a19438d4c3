import { Button, Group, ScrollArea, Text } from '@mantine/core';
import type { Chart, Drill } from '../../backend';
import { formatCount } from '../../format';
import { chartBars } from './chartModel';

/**
 * The chart's non-zero bars as compact buttons under it: the same drill-down
 * as clicking the bar, reachable by keyboard, screen reader and e2e (SVG
 * bars are not).
 */
export function ChartBars({ chart, onDrill }: { chart: Chart; onDrill: (drill: Drill) => void }) {
  const bars = chartBars(chart);
  if (bars.length === 0) return null;
  const named = chart.series.length > 1;
  return (
    <ScrollArea.Autosize mah={92} type="auto" offsetScrollbars>
      <Group gap={4} wrap="wrap" role="group" aria-label={`Bars of ${chart.title}`} data-testid="chart-rows">
        {bars.map((b) => {
          const label = named ? `${b.category} · ${b.series}` : b.category;
          const drill = b.drill;
          return (
            <Button
              key={`${b.seriesIndex}:${b.dataIndex}`}
              size="compact-xs"
              variant="default"
              disabled={drill === null}
              onClick={() => drill && onDrill(drill)}
              aria-label={`${label}: ${b.value}${drill ? ', open' : ''}`}
              data-testid="chart-row"
              data-category={b.category}
              data-series={b.series}
              data-value={b.value}
              styles={{ label: { fontWeight: 400 } }}
            >
              {label}
              <Text span size="xs" fw={600} ml={6} style={{ fontVariantNumeric: 'tabular-nums' }}>
                {formatCount(b.value)}
              </Text>
            </Button>
          );
        })}
      </Group>
    </ScrollArea.Autosize>
  );
}
