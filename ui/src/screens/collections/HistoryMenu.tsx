import { Button, Group, Menu, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconHistory, IconStar, IconStarFilled } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import * as backend from '../../backend';
import type { PlatformDatabase, QueryInput, SavedQuery } from '../../backend';
import { formatRelative } from '../../format';

const HISTORY_KEY = ['db', 'browse', 'history'] as const;

/** One line of a saved query: its filter, or "all documents". */
function describe(q: SavedQuery): string {
  const parts = [q.filter || 'all documents', q.projection && `projection ${q.projection}`, q.sort && `sort ${q.sort}`];
  return parts.filter(Boolean).join(' · ');
}

/**
 * The profile's favourite and recent queries on this collection (the
 * backend keeps every query that ran), one click from the query bar.
 */
export function HistoryMenu({
  database,
  collection,
  current,
  onPick,
}: {
  database: PlatformDatabase;
  collection: string;
  /** The query shown now: the one a favourite is made of. */
  current: QueryInput;
  onPick: (q: SavedQuery) => void;
}) {
  const queryClient = useQueryClient();
  const [opened, setOpened] = useState(false);
  const [naming, setNaming] = useState('');
  const history = useQuery({ queryKey: HISTORY_KEY, queryFn: backend.queryHistory, enabled: opened, staleTime: 0 });
  const mine = (history.data ?? []).filter((q) => q.database === database && q.collection === collection);
  const shown = mine.find((q) => q.filter === current.filter && q.projection === current.projection && q.sort === current.sort);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: HISTORY_KEY });
  const favourite = useMutation({
    mutationFn: ({ id, name }: { id: string; name: string | null }) => backend.favouriteQuery(id, name),
    onSuccess: () => {
      setNaming('');
      refresh();
    },
  });
  const clear = useMutation({
    mutationFn: backend.clearQueryHistory,
    onSuccess: (n) => {
      refresh();
      notifications.show({ color: 'teal', title: 'History cleared', message: `${n} recent queries forgotten; favourites kept.` });
    },
  });

  return (
    <Menu opened={opened} onChange={setOpened} position="bottom-end" width={460} closeOnItemClick={false} withinPortal>
      <Menu.Target>
        <Button size="xs" variant="default" leftSection={<IconHistory size={14} />} data-testid="history-menu">
          History
        </Button>
      </Menu.Target>
      <Menu.Dropdown data-testid="history-dropdown">
        {shown && !shown.favourite && (
          <Group gap="xs" p="xs" wrap="nowrap" align="flex-end">
            <TextInput
              size="xs"
              style={{ flex: 1 }}
              label="Keep the query shown as a favourite"
              placeholder="Name"
              value={naming}
              onChange={(e) => setNaming(e.currentTarget.value)}
              data-testid="history-name"
            />
            <Button
              size="xs"
              disabled={naming.trim() === ''}
              onClick={() => favourite.mutate({ id: shown.id, name: naming })}
              data-testid="history-save-favourite"
            >
              Save
            </Button>
          </Group>
        )}
        {mine.length === 0 ? (
          <Text size="xs" c="dimmed" p="xs">
            {history.isPending ? 'Loading…' : 'No queries on this collection yet.'}
          </Text>
        ) : (
          mine.map((q) => (
            <Menu.Item
              key={q.id}
              onClick={() => {
                setOpened(false);
                onPick(q);
              }}
              leftSection={q.favourite ? <IconStarFilled size={14} color="var(--mantine-color-yellow-6)" /> : <IconHistory size={14} />}
              rightSection={
                q.favourite ? (
                  <IconStar
                    size={14}
                    aria-label="Remove from favourites"
                    onClick={(e) => {
                      e.stopPropagation();
                      favourite.mutate({ id: q.id, name: null });
                    }}
                  />
                ) : null
              }
              data-testid="history-entry"
              data-favourite={q.favourite ?? undefined}
            >
              <Stack gap={0}>
                {q.favourite && (
                  <Text size="xs" fw={600}>
                    {q.favourite}
                  </Text>
                )}
                <Text size="xs" ff="monospace" lineClamp={2}>
                  {describe(q)}
                </Text>
                <Text size="xs" c="dimmed">
                  {formatRelative(q.ran_at)}
                </Text>
              </Stack>
            </Menu.Item>
          ))
        )}
        <Menu.Divider />
        <Menu.Item color="red" onClick={() => clear.mutate()} data-testid="history-clear">
          Clear recent queries (favourites stay)
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
