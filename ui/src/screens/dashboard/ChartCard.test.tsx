import { screen, waitFor } from '@testing-library/react';
import { useQuery } from '@tanstack/react-query';
import { describe, expect, it, vi } from 'vitest';
import type { Chart, Drill } from '../../backend';
import type { EChartProps } from '../../components/EChart';
import { aChart } from '../../test/fixtures';
import { renderWithProviders } from '../../test/render';
import { ChartCard } from './ChartCard';
import { chartBars, drillOfClick } from './chartModel';

// ECharts draws SVG with no layout under jsdom: a stand-in that exposes the
// click handler the card gives it, so a bar click can be simulated.
const clicks: { current?: EChartProps['onClick'] } = {};
vi.mock('../../components/EChart', () => ({
  EChart: (props: EChartProps) => {
    clicks.current = props.onClick;
    return <div data-testid={props.testId} />;
  },
}));

function Card({ chart, onDrill }: { chart: Chart; onDrill: (d: Drill) => void }) {
  const query = useQuery({ queryKey: ['test-chart'], queryFn: async () => chart });
  return <ChartCard id={chart.id} query={query} label="Users by role" onDrill={onDrill} />;
}

describe('ChartCard', () => {
  it('drills down from a clicked bar the same way as from its button', async () => {
    const chart = aChart('roles');
    const onDrill = vi.fn();
    const { user } = renderWithProviders(<Card chart={chart} onDrill={onDrill} />);
    await screen.findByTestId('chart-canvas');
    expect(clicks.current).toBeTypeOf('function');

    clicks.current?.({ componentType: 'series', seriesIndex: 0, dataIndex: 1 });
    expect(onDrill).toHaveBeenCalledWith(chart.series[0].drill[1]);

    await user.click(screen.getAllByTestId('chart-row').find((r) => r.dataset.category === 'admin')!);
    expect(onDrill).toHaveBeenCalledTimes(2);
    expect(onDrill.mock.calls[1][0]).toEqual(onDrill.mock.calls[0][0]);
  });

  it('ignores clicks that are not on a bar with a drill-down', async () => {
    const chart = aChart('roles', {
      series: [{ ...aChart('roles').series[0], drill: [null, null, null] }],
    });
    const onDrill = vi.fn();
    renderWithProviders(<Card chart={chart} onDrill={onDrill} />);
    await screen.findByTestId('chart-canvas');
    expect(clicks.current).toBeTypeOf('function');
    clicks.current?.({ componentType: 'series', seriesIndex: 0, dataIndex: 0 });
    clicks.current?.({ componentType: 'legend' });
    expect(onDrill).not.toHaveBeenCalled();
    // Listed, but not a way anywhere.
    await waitFor(() => expect(screen.getAllByTestId('chart-row')[0]).toBeDisabled());
  });
});

describe('chartModel', () => {
  it('lists the non-zero bars with their drills, and reads a click by series and index', () => {
    const chart = aChart('roles');
    expect(chartBars(chart).map((b) => [b.category, b.value])).toEqual([
      ['user', 120],
      ['admin', 4],
    ]);
    expect(drillOfClick(chart, { componentType: 'series', seriesIndex: 0, dataIndex: 0 })).toEqual(chart.series[0].drill[0]);
    expect(drillOfClick(chart, { componentType: 'series', seriesIndex: 3, dataIndex: 0 })).toBeNull();
  });
});
