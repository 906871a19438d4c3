import { useMemo } from 'react';
import type { DayCount } from '../../backend';
import { NOTIFICATION_TYPES } from '../../bindings';
import { EChart, type EChartClick, type EChartOption } from '../../components/EChart';

/** Mantine palette colours by type; other types take the rest in order. */
const TYPE_COLORS: Record<string, string> = {
  task_reminder: '#ae3ec9',
  mention: '#228be6',
  system: '#868e96',
  billing: '#fd7e14',
};
const SPARE_COLORS = ['#12b886', '#fa5252', '#fab005', '#4c6ef5', '#15aabf', '#82c91e'];

/** The data behind one bar segment, carried in the series data so a click knows it. */
interface BarDatum {
  value: number;
  day: string;
  type: string;
  read: boolean;
}

/** The last 30 UTC days up to today, plus any other day the data has. */
function chartDays(rows: DayCount[], now = new Date()): string[] {
  const days = new Set<string>();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  for (let i = 29; i >= 0; i--) days.add(new Date(today - i * 86_400_000).toISOString().slice(0, 10));
  for (const r of rows) days.add(r.day);
  return [...days].sort();
}

export function chartOption(rows: DayCount[]): EChartOption {
  const days = chartDays(rows);
  const types = [...new Set<string>([...NOTIFICATION_TYPES.filter((t) => rows.some((r) => r.type === t)), ...rows.map((r) => r.type)])];
  const byKey = new Map(rows.map((r) => [`${r.day}|${r.type}`, r]));
  let spare = 0;
  const series = types.flatMap((type) => {
    const color = TYPE_COLORS[type] ?? SPARE_COLORS[spare++ % SPARE_COLORS.length];
    return ([false, true] as const).map((read) => ({
      type: 'bar' as const,
      // Both states share the type's name, so the legend toggles them together.
      name: type,
      id: `${type}:${read ? 'read' : 'unread'}`,
      stack: 'all',
      barMaxWidth: 22,
      itemStyle: { color, opacity: read ? 0.4 : 1 },
      emphasis: { focus: 'series' as const },
      data: days.map<BarDatum>((day) => {
        const r = byKey.get(`${day}|${type}`);
        return { value: (read ? r?.read : r?.unread) ?? 0, day, type, read };
      }),
    }));
  });
  return {
    grid: { left: 36, right: 12, top: 36, bottom: 28 },
    legend: { top: 0, data: types, icon: 'roundRect', itemWidth: 12, itemHeight: 8 },
    tooltip: {
      trigger: 'item',
      formatter: (p: { data: BarDatum }) => `${p.data.day}<br/><b>${p.data.type}</b> ${p.data.read ? 'read' : 'unread'}: ${p.data.value}`,
    },
    xAxis: { type: 'category', data: days, axisLabel: { formatter: (d: string) => d.slice(5) } },
    yAxis: { type: 'value', minInterval: 1 },
    series,
  };
}

/** The type and day of a clicked bar segment, if the click was on one. */
export function barOf(p: EChartClick): { type: string; day: string } | null {
  const d = p.data as Partial<BarDatum> | undefined;
  if (d && typeof d.type === 'string' && typeof d.day === 'string') return { type: d.type, day: d.day };
  const type = p.seriesId?.split(':')[0];
  return type && p.name ? { type, day: p.name } : null;
}

/**
 * Notifications per day over the last 30 days, stacked by type, the read
 * part of each type paler. Clicking a segment picks that type and day.
 */
export function NotificationChart({ rows, onBar }: { rows: DayCount[]; onBar: (type: string, day: string) => void }) {
  const option = useMemo(() => chartOption(rows), [rows]);
  return (
    <EChart
      option={option}
      height={240}
      testId="notification-chart"
      onClick={(p) => {
        const bar = barOf(p);
        if (bar) onBar(bar.type, bar.day);
      }}
    />
  );
}
