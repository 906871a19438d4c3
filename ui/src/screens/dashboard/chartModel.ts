// A backend `Chart` as an ECharts option, and as the list of its bars that
// the card shows under it (clickable without a mouse over SVG, and by e2e).

import type { Chart, ChartId, Drill } from '../../backend';
import type { EChartClick, EChartOption } from '../../components/EChart';

/**
 * The dashboard's cards, in order, with what each says while it loads (the
 * loaded chart brings its own title). A `Record`, so a chart added to the
 * bindings fails the build until it has a card.
 */
export const CHART_LABELS: Record<ChartId, string> = {
  signups: 'Signups per day',
  active_users: 'Active users',
  roles: 'Users by role',
  tiers: 'Subscriptions by tier',
  notifications: 'Notifications by type',
  plugin_status: 'Plugin documents by status',
};
export const CHART_IDS = Object.keys(CHART_LABELS) as ChartId[];

/** Mantine palette colours for the series, in order. */
const COLORS = ['#228be6', '#40c057', '#fab005', '#fa5252', '#7950f2', '#15aabf', '#fd7e14', '#868e96'];

/** One bar segment with a value. */
export interface Bar {
  category: string;
  series: string;
  value: number;
  seriesIndex: number;
  dataIndex: number;
  /** Where a click leads; null for a bar the backend gives no drill-down. */
  drill: Drill | null;
}

/** Every non-zero bar segment, category by category. */
export function chartBars(chart: Chart): Bar[] {
  return chart.categories.flatMap((category, dataIndex) =>
    chart.series.flatMap((s, seriesIndex) => {
      const value = s.values[dataIndex] ?? 0;
      return value === 0 ? [] : [{ category, series: s.name, value, seriesIndex, dataIndex, drill: s.drill[dataIndex] ?? null }];
    }),
  );
}

/** The drill-down of a clicked bar segment, if the click was on one that has it. */
export function drillOfClick(chart: Chart, click: EChartClick): Drill | null {
  if (click.componentType !== undefined && click.componentType !== 'series') return null;
  if (click.seriesIndex === undefined || click.dataIndex === undefined) return null;
  return chart.series[click.seriesIndex]?.drill[click.dataIndex] ?? null;
}

/** Whether the chart has anything to draw. */
export function isEmptyChart(chart: Chart): boolean {
  return chart.categories.length === 0 || chart.series.every((s) => s.values.every((v) => !v));
}

/** Series stacked on each category; a legend when there is more than one. */
export function barChartOption(chart: Chart): EChartOption {
  const stacked = chart.series.length > 1;
  return {
    color: COLORS,
    grid: { left: 44, right: 12, top: stacked ? 32 : 12, bottom: 28, containLabel: false },
    legend: stacked ? { top: 0, icon: 'roundRect', itemWidth: 12, itemHeight: 8 } : { show: false },
    tooltip: { trigger: 'item' },
    xAxis: { type: 'category', data: chart.categories, axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', minInterval: 1 },
    series: chart.series.map((s) => ({
      type: 'bar' as const,
      name: s.name,
      stack: 'all',
      barMaxWidth: 36,
      emphasis: { focus: 'series' as const },
      // A bar that leads somewhere says so with the pointer.
      data: s.values.map((v, i) => ({ value: v ?? 0, cursor: s.drill[i] ? 'pointer' : 'default' })),
    })),
  };
}
