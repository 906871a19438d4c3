import { Button, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconRefresh } from '@tabler/icons-react';
import { useIsFetching, useQueryClient } from '@tanstack/react-query';
import type { ChartId, Drill } from '../../backend';
import { queryKeys, useDashboardChart } from '../../queries';
import { ChartCard } from './ChartCard';
import { CHART_IDS, CHART_LABELS } from './chartModel';

/**
 * The platform at a glance: one card per chart, each computed on the server
 * by its own query. A bar leads to the list it counted (`onDrill`).
 */
export function DashboardScreen({ onDrill }: { onDrill: (drill: Drill) => void }) {
  const client = useQueryClient();
  const fetching = useIsFetching({ queryKey: queryKeys.dashboard }) > 0;
  return (
    <Stack gap="md" data-testid="dashboard">
      <Group justify="space-between" align="flex-end" wrap="nowrap">
        <div>
          <Title order={2}>Dashboard</Title>
          <Text c="dimmed" size="sm" mt={4}>
            Computed by aggregation on the server. Click a bar, or a button under a chart, to open what it counted.
          </Text>
        </div>
        <Button
          variant="default"
          leftSection={<IconRefresh size={16} />}
          loading={fetching}
          onClick={() => void client.refetchQueries({ queryKey: queryKeys.dashboard })}
          data-testid="dashboard-refresh"
        >
          Refresh all
        </Button>
      </Group>
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
        {CHART_IDS.map((id) => (
          <DashboardChart key={id} id={id} onDrill={onDrill} />
        ))}
      </SimpleGrid>
    </Stack>
  );
}

function DashboardChart({ id, onDrill }: { id: ChartId; onDrill: (drill: Drill) => void }) {
  const query = useDashboardChart(id);
  return <ChartCard id={id} query={query} label={CHART_LABELS[id]} onDrill={onDrill} />;
}
