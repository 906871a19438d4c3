import { Alert, Box, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconDatabase } from '@tabler/icons-react';
import { useQueries } from '@tanstack/react-query';
import * as backend from '../../backend';
import type { Drill, PluginData } from '../../backend';
import { EmptyState, Section, SectionError, SectionSkeleton } from '../../components/Section';
import { JsonDocument } from '../../components/JsonDocument';
import { formatCount, plural } from '../../format';
import { queryKeys, useUserPluginStatus } from '../../queries';
import { ChartCard } from '../dashboard/ChartCard';
import { PLUGIN_DATA_PAGE_SIZE, usePluginCollections } from './useUser';

/** The user's plugin documents by status: the dashboard's card, for one user. */
export function UserPluginStatusCard({ userId, onDrill }: { userId: string; onDrill: (drill: Drill) => void }) {
  const query = useUserPluginStatus(userId);
  return (
    <ChartCard
      id="plugin_status"
      query={query}
      label="This user's plugin documents by status"
      onDrill={onDrill}
      testId="chart-user-plugin-status"
    />
  );
}

/** Every plugin collection's documents for the user, one section each. */
export function PluginDataSections({ userId }: { userId: string }) {
  const collections = usePluginCollections();
  const names = collections.data ?? [];
  const data = useQueries({
    queries: names.map((collection) => ({
      queryKey: queryKeys.userPluginData(userId, collection),
      queryFn: () => backend.userPluginData(userId, collection, PLUGIN_DATA_PAGE_SIZE),
    })),
  });

  if (collections.isPending || collections.isError || names.length === 0) {
    return (
      <Section title="Plugin data" icon={<IconDatabase size={16} />} testId="section-plugin-data">
        {collections.isPending ? (
          <SectionSkeleton lines={3} testId="plugin-collections-loading" />
        ) : collections.isError ? (
          <SectionError error={collections.error} onRetry={() => void collections.refetch()} testId="plugin-collections-error" />
        ) : (
          <EmptyState testId="plugin-collections-empty">This database has no plugin collections.</EmptyState>
        )}
      </Section>
    );
  }

  return (
    <Stack gap="md" data-testid="section-plugin-data">
      {names.map((collection, i) => {
        const q = data[i];
        return (
          <Section
            key={collection}
            title={
              <Text span ff="monospace" fw={600} size="sm">
                {collection}
              </Text>
            }
            icon={<IconDatabase size={16} />}
            meta={q.data && (q.data.count !== null ? plural(q.data.count, 'document') : 'count unknown')}
            testId="plugin-data"
          >
            <Box data-collection={collection}>
              {q.isPending ? (
                <SectionSkeleton lines={2} testId="plugin-data-loading" />
              ) : q.isError ? (
                <SectionError error={q.error} onRetry={() => void q.refetch()} testId="plugin-data-error" />
              ) : (
                <PluginDocuments data={q.data} />
              )}
            </Box>
          </Section>
        );
      })}
    </Stack>
  );
}

function PluginDocuments({ data }: { data: PluginData }) {
  const hidden = data.object_id_typed ?? 0;
  return (
    <Stack gap="sm">
      {hidden > 0 && (
        <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} data-testid="object-id-finding">
          <Text size="sm">
            {plural(hidden, 'document')} {hidden === 1 ? 'stores' : 'store'} this user’s id as an ObjectId instead of a string
            (data finding; not shown).
          </Text>
        </Alert>
      )}
      {data.documents.length === 0 ? (
        <EmptyState>No documents for this user.</EmptyState>
      ) : (
        <>
          <Stack gap={4}>
            {data.documents.map((doc, i) => (
              <JsonDocument key={i} json={doc} testId="plugin-document" />
            ))}
          </Stack>
          {data.count !== null && data.count > data.documents.length && (
            <Text size="xs" c="dimmed">
              Showing the newest {formatCount(data.documents.length)} of {formatCount(data.count)}.
            </Text>
          )}
        </>
      )}
    </Stack>
  );
}
