import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import * as backend from '../../backend';
import type { PlatformDatabase } from '../../backend';
import { documentSummary } from '../../components/JsonDocument';
import { ErrorAlert } from '../../components/ErrorAlert';
import { SectionSkeleton } from '../../components/Section';

/** Where one ObjectId is an `_id` in the browsed database, each hit one click from its collection. */
export function FindIdModal({
  database,
  databaseName,
  id,
  onOpen,
  onClose,
}: {
  database: PlatformDatabase;
  databaseName: string;
  id: string;
  onOpen: (collection: string) => void;
  onClose: () => void;
}) {
  const found = useQuery({ queryKey: ['db', 'browse', database, 'find-id', id], queryFn: () => backend.findId(database, id) });
  return (
    <Modal opened onClose={onClose} size="lg" title={<Text fw={600}>Find this id</Text>} data-testid="find-id">
      <Stack gap="sm">
        <Text size="sm" ff="monospace">
          {id}
        </Text>
        {found.isPending ? (
          <SectionSkeleton lines={3} testId="find-id-loading" />
        ) : found.isError ? (
          <ErrorAlert error={found.error} />
        ) : (
          <>
            <Text size="xs" c="dimmed" data-testid="find-id-summary">
              {found.data.found.length === 0
                ? `No collection of ${databaseName} has a document with this _id (${found.data.searched} looked in).`
                : `Found in ${found.data.found.length} of the ${found.data.searched} collections of ${databaseName}.`}
            </Text>
            {found.data.found.map((hit) => (
              <Group key={hit.collection} justify="space-between" wrap="nowrap" data-testid="find-id-hit" data-collection={hit.collection}>
                <Stack gap={0} style={{ minWidth: 0 }}>
                  <Text size="sm" ff="monospace" fw={600}>
                    {hit.collection}
                  </Text>
                  <Text size="xs" c="dimmed" truncate="end">
                    {documentSummary(hit.document).fields}
                  </Text>
                </Stack>
                <Button size="xs" variant="light" onClick={() => onOpen(hit.collection)} data-testid="find-id-open">
                  Open
                </Button>
              </Group>
            ))}
            {found.data.failed.length > 0 && (
              <Alert color="orange" variant="light" title="Not looked in">
                {found.data.failed.join('; ')}
              </Alert>
            )}
          </>
        )}
      </Stack>
    </Modal>
  );
}
