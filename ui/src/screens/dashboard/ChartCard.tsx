import { ActionIcon, Button, Group, Paper, Stack, Text, Tooltip } from '@mantine/core';
import { IconFileTypeCsv, IconRefresh } from '@tabler/icons-react';
import type { UseQueryResult } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { Chart, ChartId, Drill } from '../../backend';
import { AbsoluteDate } from '../../components/DateText';
import { EChart } from '../../components/EChart';
import { EmptyState, SectionError, SectionSkeleton } from '../../components/Section';
import { ChartBars } from './ChartBars';
import { barChartOption, drillOfClick, isEmptyChart } from './chartModel';
import { useChartCsv } from './useChartCsv';

interface Props {
  id: ChartId;
  /** The chart's own query: each card loads, fails and refreshes on its own. */
  query: UseQueryResult<Chart, Error>;
  /** What the card says until the chart (and its title) has loaded. */
  label: string;
  /** Where a bar leads; the chart's bars and the buttons under it both call it. */
  onDrill: (drill: Drill) => void;
  testId?: string;
}

/** One backend chart: stacked bars, its note, when it was computed, Refresh and Export CSV. */
export function ChartCard({ id, query, label, onDrill, testId = `chart-${id}` }: Props) {
  const chart = query.data;
  const csv = useChartCsv();
  return (
    <Paper withBorder radius="md" p="md" data-testid={testId} data-chart={id} aria-busy={query.isFetching}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <div style={{ minWidth: 0 }}>
            <Text fw={600} truncate="end">
              {chart?.title ?? label}
            </Text>
            {chart && (
              <Text size="xs" c="dimmed" data-testid="chart-computed-at">
                Computed <AbsoluteDate iso={chart.computed_at} size="xs" c="dimmed" />
              </Text>
            )}
          </div>
          <Group gap={4} wrap="nowrap">
            <Tooltip label="Compute again">
              <ActionIcon
                variant="subtle"
                color="gray"
                onClick={() => void query.refetch()}
                loading={query.isFetching}
                aria-label={`Refresh ${chart?.title ?? label}`}
                data-testid={`chart-refresh-${id}`}
              >
                <IconRefresh size={16} />
              </ActionIcon>
            </Tooltip>
            <Button
              size="compact-sm"
              variant="default"
              leftSection={<IconFileTypeCsv size={14} />}
              disabled={!chart}
              loading={csv.isPending}
              onClick={() => chart && csv.mutate(chart)}
              data-testid={`chart-csv-${id}`}
            >
              Export CSV
            </Button>
          </Group>
        </Group>
        {query.isPending ? (
          <SectionSkeleton lines={5} testId="chart-loading" />
        ) : query.isError ? (
          <SectionError error={query.error} onRetry={() => void query.refetch()} testId={`chart-error-${id}`} />
        ) : (
          <ChartBody chart={query.data} onDrill={onDrill} />
        )}
      </Stack>
    </Paper>
  );
}

function ChartBody({ chart, onDrill }: { chart: Chart; onDrill: (drill: Drill) => void }) {
  const option = useMemo(() => barChartOption(chart), [chart]);
  return (
    <>
      {isEmptyChart(chart) ? (
        <EmptyState testId="chart-empty">Nothing to chart yet.</EmptyState>
      ) : (
        <EChart
          option={option}
          height={220}
          testId="chart-canvas"
          onClick={(click) => {
            const drill = drillOfClick(chart, click);
            if (drill) onDrill(drill);
          }}
        />
      )}
      {chart.note && (
        <Text size="sm" c="dimmed" data-testid="chart-note">
          {chart.note}
        </Text>
      )}
      <ChartBars chart={chart} onDrill={onDrill} />
    </>
  );
}
