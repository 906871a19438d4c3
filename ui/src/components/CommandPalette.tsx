import { Group, Kbd, Modal, ScrollArea, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconDatabase, IconLayoutList, IconSearch, IconUser } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState, type ReactNode } from 'react';
import * as backend from '../backend';
import type { BrowsedDatabase } from '../backend';
import { queryKeys } from '../queries';

/** Where the palette can take the admin. */
export type PaletteTarget =
  | { kind: 'screen'; screen: string }
  | { kind: 'collection'; database: BrowsedDatabase; collection: string }
  | { kind: 'user'; userId: string };

interface Entry {
  key: string;
  icon: ReactNode;
  label: string;
  detail: string;
  target: PaletteTarget;
}

/** Users are searched from this many characters on (the backend's search). */
const MIN_USER_SEARCH = 2;
const MAX_ENTRIES = 30;

/**
 * Ctrl+K: one box that jumps to any screen, any collection of the three
 * databases, or any user (by email, username or id, through the backend's
 * user search).
 */
export function CommandPalette({
  opened,
  onClose,
  connected,
  screens,
  onGo,
}: {
  opened: boolean;
  onClose: () => void;
  connected: boolean;
  screens: { screen: string; label: string }[];
  onGo: (target: PaletteTarget) => void;
}) {
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const [typed] = useDebouncedValue(text.trim(), 200);
  const databases = useQuery({
    queryKey: queryKeys.browseDatabases,
    queryFn: backend.browseDatabases,
    enabled: opened && connected,
  });
  const users = useQuery({
    queryKey: queryKeys.userSearch(typed),
    queryFn: () => backend.searchUsers(typed),
    enabled: opened && connected && typed.length >= MIN_USER_SEARCH,
  });

  const entries = useMemo(() => {
    const needle = text.trim().toLowerCase();
    const matches = (s: string) => s.toLowerCase().includes(needle);
    const out: Entry[] = [];
    for (const s of screens) {
      if (matches(s.label)) {
        out.push({ key: `screen:${s.screen}`, icon: <IconLayoutList size={16} />, label: s.label, detail: 'screen', target: { kind: 'screen', screen: s.screen } });
      }
    }
    if (needle) {
      for (const db of databases.data ?? []) {
        for (const c of db.collections) {
          if (matches(c.name)) {
            out.push({
              key: `collection:${db.which}:${c.name}`,
              icon: <IconDatabase size={16} />,
              label: c.name,
              detail: db.name,
              target: { kind: 'collection', database: db, collection: c.name },
            });
          }
        }
      }
      if (typed === text.trim()) {
        for (const u of users.data ?? []) {
          out.push({ key: `user:${u.id}`, icon: <IconUser size={16} />, label: u.email, detail: `@${u.username}`, target: { kind: 'user', userId: u.id } });
        }
      }
    }
    return out.slice(0, MAX_ENTRIES);
  }, [text, typed, screens, databases.data, users.data]);

  const close = () => {
    setText('');
    setActive(0);
    onClose();
  };
  const go = (entry: Entry | undefined) => {
    if (!entry) return;
    close();
    onGo(entry.target);
  };

  return (
    <Modal opened={opened} onClose={close} withCloseButton={false} size="lg" yOffset="12vh" padding="xs" data-testid="command-palette">
      <Stack gap="xs">
        <TextInput
          data-autofocus
          leftSection={<IconSearch size={16} />}
          rightSection={<Kbd size="xs">Esc</Kbd>}
          placeholder={connected ? 'A screen, a collection, or a user by email, username or id' : 'A screen'}
          value={text}
          onChange={(e) => {
            setText(e.currentTarget.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              setActive((i) => Math.max(0, Math.min(i + 1, entries.length - 1)));
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setActive((i) => Math.max(i - 1, 0));
            } else if (e.key === 'Enter') {
              e.preventDefault();
              go(entries[active]);
            }
          }}
          data-testid="palette-input"
        />
        <ScrollArea.Autosize mah="50vh">
          {entries.length === 0 ? (
            <Text size="sm" c="dimmed" p="xs" data-testid="palette-empty">
              {users.isFetching ? 'Searching users…' : 'Nothing matches.'}
            </Text>
          ) : (
            entries.map((entry, i) => (
              <UnstyledButton
                key={entry.key}
                onClick={() => go(entry)}
                onMouseEnter={() => setActive(i)}
                data-testid="palette-entry"
                data-key={entry.key}
                data-active={i === active || undefined}
                display="block"
                w="100%"
                px="sm"
                py={6}
                style={{ borderRadius: 'var(--mantine-radius-sm)', background: i === active ? 'var(--mantine-color-default-hover)' : undefined }}
              >
                <Group gap="sm" wrap="nowrap">
                  {entry.icon}
                  <Text size="sm" ff={entry.target.kind === 'collection' ? 'monospace' : undefined} truncate="end" style={{ flex: 1 }}>
                    {entry.label}
                  </Text>
                  <Text size="xs" c="dimmed" truncate="end" maw={200}>
                    {entry.detail}
                  </Text>
                </Group>
              </UnstyledButton>
            ))
          )}
        </ScrollArea.Autosize>
      </Stack>
    </Modal>
  );
}
