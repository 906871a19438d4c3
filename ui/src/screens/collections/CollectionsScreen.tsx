import { Badge, Group, NavLink, Paper, ScrollArea, Stack, Text, Title } from '@mantine/core';
import { IconDatabase, IconEye, IconTable } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import * as backend from '../../backend';
import type { BrowsedDatabase, PlatformDatabase } from '../../backend';
import { ErrorAlert } from '../../components/ErrorAlert';
import { SectionSkeleton } from '../../components/Section';
import { formatCount } from '../../format';
import { queryKeys } from '../../queries';
import { FindIdModal } from './FindIdModal';
import { QueryResults } from './QueryResults';
import type { Place } from '../../navigation';

/** The collection open in the browser, as the backend lists it. */
export interface Browsing {
  database: PlatformDatabase;
  /** Its name on this deployment, for the header. */
  databaseName: string;
  collection: string;
  /** Why its documents cannot be edited here; `null` when they can. */
  notEditable: string | null;
  /** The filter the query bar opens with (canonical Extended JSON). */
  filter?: string;
}

/**
 * Every collection of the platform's three databases, and a query bar over
 * the one opened: the rest of the app's screens are made for MozaiksCore's
 * own collections; this one reaches everything else.
 */
export function CollectionsScreen({
  place,
  onBrowse,
  onOpenUser,
}: {
  /** The collection the route names. */
  place: Place | null;
  onBrowse: (place: Place) => void;
  onOpenUser: (userId: string) => void;
}) {
  const databases = useQuery({ queryKey: queryKeys.browseDatabases, queryFn: backend.browseDatabases });
  /** The ObjectId being looked up in every collection of the browsed database. */
  const [finding, setFinding] = useState<string | null>(null);
  const browsing = place && databases.data ? resolve(place, databases.data) : null;
  const openFound = (collection: string, id: string) => {
    if (!browsing) return;
    setFinding(null);
    onBrowse({ database: browsing.database, collection, filter: JSON.stringify({ _id: { $oid: id } }) });
  };

  return (
    <Stack gap="md">
      <Title order={2}>Collections</Title>
      <Group align="flex-start" gap="md" wrap="nowrap">
        <Paper withBorder radius="md" w={250} style={{ flexShrink: 0 }}>
          <ScrollArea.Autosize mah="calc(100vh - 160px)">
            {databases.isPending ? (
              <SectionSkeleton lines={8} testId="databases-loading" />
            ) : databases.isError ? (
              <ErrorAlert error={databases.error} onRetry={() => void databases.refetch()} />
            ) : (
              databases.data.map((db) => <DatabaseSection key={db.which} db={db} browsing={browsing} onBrowse={onBrowse} />)
            )}
          </ScrollArea.Autosize>
        </Paper>
        <Stack gap="sm" style={{ flex: 1, minWidth: 0 }}>
          {browsing ? (
            // A new collection starts with an empty query bar.
            <QueryResults
              key={`${browsing.database}/${browsing.collection}/${browsing.filter ?? ''}`}
              browsing={browsing}
              onOpenUser={onOpenUser}
              onFindId={(id) => setFinding(id)}
            />
          ) : place && databases.data ? (
            <Text c="dimmed" size="sm" data-testid="browse-unknown">
              This deployment has no collection {place.collection} in {place.database}. Pick one on the left.
            </Text>
          ) : (
            <Text c="dimmed" size="sm" data-testid="browse-hint">
              Pick a collection on the left to query it.
            </Text>
          )}
        </Stack>
      </Group>
      {finding !== null && browsing && (
        <FindIdModal
          database={browsing.database}
          databaseName={browsing.databaseName}
          id={finding}
          onOpen={(collection) => openFound(collection, finding)}
          onClose={() => setFinding(null)}
        />
      )}
    </Stack>
  );
}

function DatabaseSection({
  db,
  browsing,
  onBrowse,
}: {
  db: BrowsedDatabase;
  browsing: Browsing | null;
  onBrowse: (place: Place) => void;
}) {
  return (
    <Stack gap={0} p={6} data-testid={`database-${db.which}`}>
      <Group gap={6} px={6} py={4} wrap="nowrap">
        <IconDatabase size={14} stroke={1.6} />
        <Text size="sm" fw={600} ff="monospace" truncate="end" style={{ flex: 1 }} title={db.name}>
          {db.name}
        </Text>
        <Badge size="xs" variant="light" color={db.writable ? 'teal' : 'gray'} tt="none">
          {db.writable ? 'writable' : 'read-only'}
        </Badge>
      </Group>
      {db.error && (
        <Text size="xs" c="red" px={6}>
          {db.error}
        </Text>
      )}
      {!db.error && db.collections.length === 0 && (
        <Text size="xs" c="dimmed" px={6} py={2}>
          no collections
        </Text>
      )}
      {db.collections.map((c) => (
        <NavLink
          key={c.name}
          component="button"
          py={3}
          active={browsing?.database === db.which && browsing.collection === c.name}
          onClick={() => onBrowse({ database: db.which, collection: c.name })}
          data-testid="browse-collection"
          data-collection={c.name}
          leftSection={c.is_view ? <IconEye size={14} /> : <IconTable size={14} stroke={1.4} />}
          label={
            <Group gap={4} wrap="nowrap" justify="space-between">
              <Text size="xs" ff="monospace" truncate="end">
                {c.name}
              </Text>
              <Text size="xs" c="dimmed" title="Estimated from collection metadata">
                {c.estimated_count === null ? '?' : `~${formatCount(c.estimated_count)}`}
              </Text>
            </Group>
          }
        />
      ))}
    </Stack>
  );
}

/** The route's collection as this deployment lists it; `null` when it lists none such. */
function resolve(place: Place, databases: BrowsedDatabase[]): Browsing | null {
  const db = databases.find((d) => d.which === place.database);
  const c = db?.collections.find((x) => x.name === place.collection);
  if (!db || !c) return null;
  return { database: db.which, databaseName: db.name, collection: c.name, notEditable: c.not_editable, filter: place.filter };
}
