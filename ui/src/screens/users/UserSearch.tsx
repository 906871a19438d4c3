import { Combobox, Group, Loader, Text, TextInput, useCombobox } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconAlertCircle, IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import * as backend from '../../backend';
import type { UserRow } from '../../backend';
import { RoleBadges } from '../../components/userBadges';
import { describeFailure, isBackendError } from '../../errors';
import { queryKeys } from '../../queries';

export const SEARCH_DEBOUNCE_MS = 250;

/**
 * One box for an email, a username prefix or a user id (24 hex digits, or
 * `id:<hex>`). Queries are keyed on the debounced text, so a slow answer to
 * an older text never replaces the newest one.
 */
export function UserSearch({ onOpen }: { onOpen: (user: UserRow) => void }) {
  const [text, setText] = useState('');
  const [debounced] = useDebouncedValue(text.trim(), SEARCH_DEBOUNCE_MS);
  const combobox = useCombobox({ onDropdownClose: () => combobox.resetSelectedOption() });

  const search = useQuery({
    queryKey: queryKeys.userSearch(debounced),
    queryFn: () => backend.searchUsers(debounced),
    enabled: debounced.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
  const typing = text.trim() !== debounced;
  const active = text.trim().length > 0;
  const results = active && !search.isError ? (search.data ?? []) : [];
  const invalidId = active && isBackendError(search.error, 'invalid_id') ? search.error.error.data.value : null;

  useEffect(() => {
    if (results.length > 0) combobox.selectFirstOption();
    // Select the first match whenever a new result list arrives.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [search.data]);

  const open = (user: UserRow) => {
    combobox.closeDropdown();
    setText('');
    onOpen(user);
  };

  return (
    <Combobox
      store={combobox}
      onOptionSubmit={(id) => {
        const user = results.find((u) => u.id === id);
        if (user) open(user);
      }}
      width={440}
      position="bottom-end"
      shadow="md"
    >
      <Combobox.Target>
        <TextInput
          value={text}
          onChange={(e) => {
            setText(e.currentTarget.value);
            combobox.openDropdown();
          }}
          onFocus={() => text && combobox.openDropdown()}
          onBlur={() => combobox.closeDropdown()}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              setText('');
              combobox.closeDropdown();
            }
          }}
          placeholder="Search email, username or user id"
          aria-label="Search users"
          leftSection={<IconSearch size={16} />}
          rightSection={
            search.isFetching || (typing && active) ? <Loader size={14} /> : null
          }
          rightSectionWidth={64}
          error={invalidId !== null}
          w={340}
          data-testid="user-search"
        />
      </Combobox.Target>

      <Combobox.Dropdown hidden={!active} data-testid="user-search-dropdown">
        <Combobox.Options mah={380} style={{ overflowY: 'auto' }}>
          {invalidId !== null ? (
            <Group gap={8} wrap="nowrap" p="xs" align="flex-start" data-testid="user-search-invalid-id">
              <IconAlertCircle size={16} color="var(--mantine-color-red-6)" style={{ flexShrink: 0, marginTop: 2 }} />
              <Text size="sm" c="red">
                “{invalidId}” is not a valid user id. An id is 24 hexadecimal digits, e.g.{' '}
                <Text span ff="monospace" size="sm">
                  id:65f1c0ffee0123456789abcd
                </Text>
                .
              </Text>
            </Group>
          ) : search.isError ? (
            <Text size="sm" c="red" p="xs" data-testid="user-search-error">
              {describeFailure(search.error).title}: {describeFailure(search.error).message}
            </Text>
          ) : search.isPending || (typing && !search.data) ? (
            <Text size="sm" c="dimmed" p="xs">
              Searching…
            </Text>
          ) : results.length === 0 ? (
            <Combobox.Empty data-testid="user-search-empty">No user matches “{debounced}”.</Combobox.Empty>
          ) : (
            results.map((u) => (
              <Combobox.Option
                key={u.id}
                value={u.id}
                data-testid="user-search-result"
                data-email={u.email}
                onMouseDown={(e) => e.preventDefault()}
              >
                <Group justify="space-between" wrap="nowrap" gap="sm">
                  <div style={{ minWidth: 0 }}>
                    <Text size="sm" fw={500} truncate="end">
                      {u.email}
                    </Text>
                    <Text size="xs" c="dimmed" truncate="end">
                      @{u.username} · <span style={{ fontFamily: 'var(--mantine-font-family-monospace)' }}>{u.id}</span>
                    </Text>
                  </div>
                  <RoleBadges roles={u.roles} size="xs" />
                </Group>
              </Combobox.Option>
            ))
          )}
        </Combobox.Options>
        {results.length >= 20 && (
          <Combobox.Footer>
            <Text size="xs" c="dimmed">
              First 20 matches. Type more to narrow down.
            </Text>
          </Combobox.Footer>
        )}
      </Combobox.Dropdown>
    </Combobox>
  );
}
