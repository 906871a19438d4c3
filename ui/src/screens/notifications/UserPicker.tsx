import { ActionIcon, Group, Input, Paper, Text, Tooltip } from '@mantine/core';
import { IconUser, IconX } from '@tabler/icons-react';
import { UserSearch } from '../users/UserSearch';

export interface PickedUser {
  id: string;
  label: string;
}

/**
 * One user, picked with the users screen's search box (email, username or
 * id); once picked it shows as a chip that clears back to the search.
 */
export function UserPicker({
  value,
  onChange,
  label,
  error,
  testId = 'user-picker',
}: {
  value: PickedUser | null;
  onChange: (user: PickedUser | null) => void;
  label?: string;
  error?: string | null;
  testId?: string;
}) {
  return (
    <Input.Wrapper label={label} error={error} size="xs" data-testid={testId}>
      {value ? (
        <Paper withBorder radius="sm" px={8} py={4} data-testid={`${testId}-value`} data-user-id={value.id}>
          <Group gap={6} wrap="nowrap" justify="space-between">
            <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
              <IconUser size={14} style={{ flexShrink: 0 }} />
              <Text size="xs" truncate="end" maw={260}>
                {value.label}
              </Text>
            </Group>
            <Tooltip label="Clear user">
              <ActionIcon size="xs" variant="subtle" color="gray" onClick={() => onChange(null)} aria-label="Clear user" data-testid={`${testId}-clear`}>
                <IconX size={12} />
              </ActionIcon>
            </Tooltip>
          </Group>
        </Paper>
      ) : (
        <UserSearch onOpen={(u) => onChange({ id: u.id, label: u.email })} />
      )}
    </Input.Wrapper>
  );
}
