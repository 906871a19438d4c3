import { Alert, Badge, Group, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import * as backend from '../../backend';
import type { PlatformDatabase, QueryInput } from '../../backend';
import { ErrorAlert } from '../../components/ErrorAlert';
import { SectionSkeleton } from '../../components/Section';
import { isBackendError } from '../../errors';
import { formatCount } from '../../format';

const count = (n: number | null) => (n === null ? '?' : formatCount(n));

/** The server's plan for the query shown: index or collection scan, and what it examined. */
export function ExplainPanel({ database, collection, query }: { database: PlatformDatabase; collection: string; query: QueryInput }) {
  const plan = useQuery({
    queryKey: ['db', 'browse', database, collection, 'explain', query],
    queryFn: () => backend.explainQuery(database, collection, query),
  });
  if (plan.isPending) return <SectionSkeleton lines={2} testId="explain-loading" />;
  if (plan.isError) {
    return isBackendError(plan.error, 'unsupported') ? (
      <Alert color="gray" variant="light" title="This server cannot explain queries" data-testid="explain-unsupported">
        It has no explain command ({plan.error.error.data.message}). Against MongoDB itself, the plan, the index used and the
        documents examined show here.
      </Alert>
    ) : (
      <ErrorAlert error={plan.error} />
    );
  }
  const s = plan.data;
  return (
    <Alert color={s.collection_scan ? 'orange' : 'teal'} variant="light" title="Query plan" data-testid="explain-summary">
      <Stack gap={4}>
        <Group gap={6}>
          {s.collection_scan ? (
            <Badge color="orange" tt="none">
              collection scan: reads every document
            </Badge>
          ) : (
            s.indexes.map((i) => (
              <Badge key={i} color="teal" variant="light" tt="none" ff="monospace">
                index {i}
              </Badge>
            ))
          )}
        </Group>
        <Text size="xs" ff="monospace">
          {s.stages.join(' → ')}
        </Text>
        <Text size="xs" c="dimmed">
          {count(s.returned)} returned · {count(s.keys_examined)} keys and {count(s.documents_examined)} documents examined ·{' '}
          {s.time_ms === null ? '?' : `${s.time_ms} ms`}
        </Text>
      </Stack>
    </Alert>
  );
}
