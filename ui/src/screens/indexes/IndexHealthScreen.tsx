import { Alert, Button, Group, Paper, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconInfoCircle, IconRefresh, IconTool } from '@tabler/icons-react';
import { useState } from 'react';
import type { CollectionHealth, FixScope, HealthProgress, HealthReport } from '../../backend';
import { AbsoluteDate } from '../../components/DateText';
import { ErrorAlert } from '../../components/ErrorAlert';
import { EmptyState, SectionSkeleton } from '../../components/Section';
import { formatCount, plural } from '../../format';
import { CollectionHealthCard } from './CollectionHealthCard';
import { DropIndexModal, type DropTarget } from './DropIndexModal';
import { FixModal } from './FixModal';
import { scoreColor } from './indexFormat';
import { useIndexHealth } from './useIndexHealth';

/** The lowest score first (the collections that need attention), then by name. */
function byAttention(a: CollectionHealth, b: CollectionHealth): number {
  return (a.score ?? 100) - (b.score ?? 100) || a.collection.localeCompare(b.collection);
}

/**
 * Every core and plugin collection's indexes against what the platform
 * requires, with their usage, and the fixes: build what is missing (after a
 * confirmation listing exactly what), drop what nothing needs.
 */
export function IndexHealthScreen() {
  const { report, progress } = useIndexHealth();
  const [fixing, setFixing] = useState<FixScope | null>(null);
  const [dropping, setDropping] = useState<DropTarget | null>(null);
  const data = report.data;
  const fixable = data?.collections.some((c) => c.checks.some((check) => check.fix !== null)) ?? false;

  return (
    <Stack gap="md" data-testid="indexes">
      <Group justify="space-between" align="flex-end" wrap="nowrap">
        <div>
          <Title order={2}>Index health</Title>
          <Text c="dimmed" size="sm" mt={4}>
            Each collection&apos;s indexes against what the platform requires, with their usage since the server started.
          </Text>
        </div>
        <Group gap="xs" wrap="nowrap">
          <Button
            variant="default"
            leftSection={<IconRefresh size={16} />}
            loading={report.isFetching}
            onClick={() => void report.refetch()}
            data-testid="indexes-refresh"
          >
            Refresh
          </Button>
          <Button
            leftSection={<IconTool size={16} />}
            disabled={!fixable || report.isFetching}
            onClick={() => setFixing({ scope: 'all' })}
            data-testid="index-fix-all"
          >
            Fix all…
          </Button>
        </Group>
      </Group>

      {report.isFetching && <ReportProgress progress={progress} />}
      {report.isError && <ErrorAlert error={report.error} onRetry={() => void report.refetch()} testId="indexes-error" />}
      {data ? (
        <ReportView report={data} onFix={setFixing} onDrop={setDropping} />
      ) : (
        report.isPending && <SectionSkeleton lines={6} testId="indexes-loading" />
      )}

      <FixModal scope={fixing} onClose={() => setFixing(null)} />
      <DropIndexModal target={dropping} onClose={() => setDropping(null)} />
    </Stack>
  );
}

function ReportProgress({ progress }: { progress: HealthProgress | null }) {
  const pct = progress && progress.total > 0 ? (progress.done / progress.total) * 100 : 100;
  return (
    <Stack gap={4} data-testid="indexes-progress">
      <Progress value={pct} animated striped={progress === null} size="sm" aria-label="Checking indexes" />
      <Text size="xs" c="dimmed">
        {progress ? `Checked ${progress.collection} (${progress.done} of ${progress.total})` : 'Listing the collections…'}
      </Text>
    </Stack>
  );
}

function ReportView({
  report,
  onFix,
  onDrop,
}: {
  report: HealthReport;
  onFix: (scope: FixScope) => void;
  onDrop: (target: DropTarget) => void;
}) {
  const collections = [...report.collections].sort(byAttention);
  return (
    <Stack gap="md">
      <Summary report={report} />
      <UncheckedNote report={report} />
      {report.usage_note && (
        <Alert color="gray" variant="light" icon={<IconInfoCircle size={16} />} py={8} data-testid="indexes-usage-note">
          <Text size="sm">{report.usage_note}</Text>
        </Alert>
      )}
      {collections.length === 0 ? (
        <EmptyState testId="indexes-empty">No core or plugin collections to check.</EmptyState>
      ) : (
        collections.map((c) => <CollectionHealthCard key={c.collection} health={c} onFix={onFix} onDrop={onDrop} />)
      )}
    </Stack>
  );
}

/** Collections that could not be checked: named, while the rest of the report stands. */
function UncheckedNote({ report }: { report: HealthReport }) {
  const unchecked = report.collections.filter((c) => c.unchecked != null).map((c) => c.collection);
  if (unchecked.length === 0) return null;
  return (
    <Alert color="orange" variant="light" icon={<IconInfoCircle size={16} />} py={8} data-testid="indexes-unchecked">
      <Text size="sm">
        {plural(unchecked.length, 'collection')} could not be checked: {unchecked.join(', ')}. The score and problems count only the
        collections that were.
      </Text>
    </Alert>
  );
}

function Summary({ report }: { report: HealthReport }) {
  return (
    <Paper withBorder radius="md" p="md">
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md">
        <div>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            Score
          </Text>
          <Text fz={28} fw={700} c={scoreColor(report.score)} data-testid="indexes-score" style={{ fontVariantNumeric: 'tabular-nums' }}>
            {report.score === null ? '—' : report.score}
            <Text span size="sm" c="dimmed" fw={400}>
              {' '}
              / 100
            </Text>
          </Text>
        </div>
        <div>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            Required-index problems
          </Text>
          <Text fz={28} fw={700} c={report.problems ? 'red' : 'teal'} data-testid="indexes-problems" style={{ fontVariantNumeric: 'tabular-nums' }}>
            {report.problems === null ? '—' : formatCount(report.problems)}
          </Text>
        </div>
        <div>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            Computed
          </Text>
          <AbsoluteDate iso={report.computed_at} size="md" data-testid="indexes-computed-at" />
          {report.usage_members.length > 0 && (
            <Text size="xs" c="dimmed" mt={4} data-testid="indexes-usage-members">
              Usage summed over {plural(report.usage_members.length, 'member')}: {report.usage_members.join(', ')}
            </Text>
          )}
        </div>
      </SimpleGrid>
    </Paper>
  );
}
