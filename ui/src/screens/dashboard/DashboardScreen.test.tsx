import { act, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as backend from '../../backend';
import type { Chart, ChartId, Drill } from '../../backend';
import type { EChartProps } from '../../components/EChart';
import { queryKeys } from '../../queries';
import { aChart, anOverview } from '../../test/fixtures';
import { backendError, renderWithProviders } from '../../test/render';
import { DashboardScreen } from './DashboardScreen';

vi.mock('../../backend');
// ECharts measures text on a canvas jsdom lacks; the bar clicks are ChartCard.test's.
vi.mock('../../components/EChart', () => ({
  EChart: ({ testId }: EChartProps) => <div data-testid={testId} />,
}));

const NOTIFICATIONS: Chart = {
  id: 'notifications',
  title: 'Notifications by type',
  categories: ['mention', 'billing'],
  series: [
    {
      name: 'read',
      values: [3, 0],
      drill: [
        { to: 'feed', type: 'mention', read: true },
        { to: 'feed', type: 'billing', read: true },
      ],
    },
    {
      name: 'unread',
      values: [5, 2],
      drill: [
        { to: 'feed', type: 'mention', read: false },
        { to: 'feed', type: 'billing', read: false },
      ],
    },
  ],
  computed_at: '2025-06-01T09:00:00Z',
  note: '30% read (3 of 10)',
};

function chartOf(id: ChartId): Chart {
  if (id === 'notifications') return NOTIFICATIONS;
  return aChart(id, { title: id === 'roles' ? 'Users by role' : `Chart ${id}` });
}

function renderDashboard() {
  const onDrill = vi.fn<(d: Drill) => void>();
  const r = renderWithProviders(<DashboardScreen onDrill={onDrill} />);
  act(() => r.client.setQueryData(queryKeys.overview, anOverview()));
  return { ...r, onDrill };
}

const rowOf = (card: HTMLElement, category: string, series: string) => {
  const row = within(card)
    .getAllByTestId('chart-row')
    .find((r) => r.dataset.category === category && r.dataset.series === series);
  if (!row) throw new Error(`no bar ${category}/${series}`);
  return row;
};

describe('DashboardScreen', () => {
  beforeEach(() => {
    vi.mocked(backend.dashboardChart).mockImplementation(async (id) => chartOf(id));
  });

  it('loads every chart on its own card, with its note, its time and its bars', async () => {
    renderDashboard();
    const ids: ChartId[] = ['signups', 'active_users', 'roles', 'tiers', 'notifications', 'plugin_status'];
    for (const id of ids) expect(screen.getByTestId(`chart-${id}`)).toBeInTheDocument();
    const notifications = screen.getByTestId('chart-notifications');
    await waitFor(() => expect(within(notifications).getByTestId('chart-note')).toHaveTextContent('30% read (3 of 10)'));
    expect(within(notifications).getByTestId('chart-computed-at')).toHaveTextContent('Computed');
    expect(within(notifications).getByTestId('chart-canvas')).toBeInTheDocument();
    expect(vi.mocked(backend.dashboardChart).mock.calls.map((c) => c[0]).sort()).toEqual([...ids].sort());
    // Only the bars with a value: billing has no read ones.
    expect(within(notifications).getAllByTestId('chart-row').map((r) => `${r.dataset.category}/${r.dataset.series}`)).toEqual([
      'mention/read',
      'mention/unread',
      'billing/unread',
    ]);
    await waitFor(() => expect(within(screen.getByTestId('chart-roles')).getAllByTestId('chart-row')).toHaveLength(2));
  });

  it("drills down from a bar's button with the bar's own drill", async () => {
    const { user, onDrill } = renderDashboard();
    const roles = screen.getByTestId('chart-roles');
    await waitFor(() => expect(within(roles).getAllByTestId('chart-row')).toHaveLength(2));
    await user.click(rowOf(roles, 'admin', 'users'));
    expect(onDrill).toHaveBeenCalledWith(aChart('roles').series[0].drill[1]);

    const notifications = screen.getByTestId('chart-notifications');
    await user.click(rowOf(notifications, 'billing', 'unread'));
    expect(onDrill).toHaveBeenLastCalledWith({ to: 'feed', type: 'billing', read: false });
  });

  it('shows a failing chart as an error with its message, leaving the others', async () => {
    vi.mocked(backend.dashboardChart).mockImplementation(async (id) => {
      if (id === 'signups') throw backendError({ type: 'time_limit', data: { message: 'the signups aggregation took more than 30 s' } });
      return chartOf(id);
    });
    const { user } = renderDashboard();
    const error = await within(screen.getByTestId('chart-signups')).findByTestId('chart-error-signups');
    expect(error).toHaveTextContent('Took too long');
    expect(error).toHaveTextContent('The signups aggregation took more than 30 s.');
    expect(within(screen.getByTestId('chart-signups')).getByTestId('chart-csv-signups')).toBeDisabled();
    await waitFor(() => expect(within(screen.getByTestId('chart-roles')).getAllByTestId('chart-row')).toHaveLength(2));

    // Refresh computes every chart again; this time the signups answer.
    vi.mocked(backend.dashboardChart).mockImplementation(async (id) => chartOf(id));
    await user.click(screen.getByTestId('dashboard-refresh'));
    await waitFor(() => expect(within(screen.getByTestId('chart-signups')).getAllByTestId('chart-row')).toHaveLength(2));
    expect(screen.queryByTestId('chart-error-signups')).not.toBeInTheDocument();
  });

  it('exports a chart as CSV to the path chosen in the save dialog', async () => {
    vi.mocked(backend.chooseCsvPath).mockResolvedValueOnce(null).mockResolvedValueOnce('/home/me/roles.csv');
    vi.mocked(backend.saveChartCsv).mockResolvedValue(null);
    const { user } = renderDashboard();
    const roles = screen.getByTestId('chart-roles');
    await waitFor(() => expect(within(roles).getByTestId('chart-csv-roles')).toBeEnabled());

    // Cancelled: nothing is written.
    await user.click(within(roles).getByTestId('chart-csv-roles'));
    await waitFor(() => expect(backend.chooseCsvPath).toHaveBeenCalledTimes(1));
    expect(backend.chooseCsvPath).toHaveBeenCalledWith('roles-2025-06-01.csv');
    expect(backend.saveChartCsv).not.toHaveBeenCalled();

    await user.click(within(roles).getByTestId('chart-csv-roles'));
    await waitFor(() => expect(backend.saveChartCsv).toHaveBeenCalledWith(chartOf('roles'), '/home/me/roles.csv'));
    expect(await screen.findByText('CSV saved')).toBeInTheDocument();
  });
});
