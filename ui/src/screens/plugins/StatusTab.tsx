import { Button, Select, Stack, Text } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import * as backend from '../../backend';
import { JsonDocument } from '../../components/JsonDocument';
import { EmptyState, SectionError, SectionSkeleton } from '../../components/Section';
import { plural } from '../../format';
import { queryKeys } from '../../queries';
import { usePluginSchema } from './usePluginSchema';

/**
 * The collection's documents with one status, across users or one user's
 * (where a dashboard or 360-view bar leads). `initialStatus`: the bar's status.
 */
export function StatusTab({
  collection,
  initialStatus,
  userId = null,
}: {
  collection: string;
  initialStatus: string | null;
  userId?: string | null;
}) {
  const schema = usePluginSchema(collection);
  const [status, setStatus] = useState<string | null>(initialStatus);
  // The sampled values, and the bar's status even if the sample missed it.
  const statuses = [...new Set([...(schema.data?.status_values ?? []), ...(status ? [status] : [])])];
  return (
    <Stack gap="sm">
      <Select
        size="xs"
        w={200}
        label="Status"
        placeholder={statuses.length ? 'Pick a status' : 'No status values sampled'}
        data={statuses}
        value={status}
        onChange={setStatus}
        comboboxProps={{ withinPortal: false }}
        data-testid="status-select"
      />
      {status ? (
        <StatusDocuments key={status} collection={collection} status={status} userId={userId} />
      ) : (
        <EmptyState testId="status-none">
          Pick a status to see its documents, {userId ? `of user ${userId}` : 'across users'}.
        </EmptyState>
      )}
    </Stack>
  );
}

function StatusDocuments({ collection, status, userId }: { collection: string; status: string; userId: string | null }) {
  const pages = useInfiniteQuery({
    queryKey: queryKeys.pluginStatusDocuments(collection, status, userId),
    queryFn: ({ pageParam }) => backend.pluginStatusDocuments(collection, status, userId, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next,
  });
  if (pages.isPending) return <SectionSkeleton lines={3} testId="status-loading" />;
  if (pages.isError && !pages.data) {
    return <SectionError error={pages.error} onRetry={() => void pages.refetch()} testId="status-error" />;
  }
  const docs = pages.data.pages.flatMap((p) => p.documents);
  return (
    <Stack gap={4} data-testid="status-documents" data-status={status} data-user={userId ?? undefined}>
      {docs.length === 0 ? (
        <EmptyState testId="status-empty">No documents with this status.</EmptyState>
      ) : (
        docs.map((json, i) => <JsonDocument key={i} json={json} testId="status-document" />)
      )}
      {pages.isFetchNextPageError && <SectionError error={pages.error} testId="status-more-error" />}
      <Text size="xs" c="dimmed" mt={4} data-testid="status-shown">
        {plural(docs.length, 'document')} shown, newest first{pages.hasNextPage ? '' : ' (all of them)'}
      </Text>
      {pages.hasNextPage && (
        <Button
          size="xs"
          variant="default"
          w="fit-content"
          loading={pages.isFetchingNextPage}
          onClick={() => void pages.fetchNextPage()}
          data-testid="status-load-more"
        >
          Load more
        </Button>
      )}
    </Stack>
  );
}
