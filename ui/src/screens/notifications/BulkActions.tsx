import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { IconMail, IconMailOpened, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import type { NotificationRef } from '../../backend';
import { WriteButton } from '../../components/WriteButton';
import { plural } from '../../format';
import { useNotificationWrites } from './useNotificationWrites';

/**
 * Mark read, mark unread and delete (after a confirmation) for the selected
 * notifications. `onDone` runs after a write succeeded (to clear the selection).
 */
export function BulkActions({ selected, onDone, size = 'xs' }: { selected: NotificationRef[]; onDone: () => void; size?: 'xs' | 'sm' }) {
  const { mark, remove, busy } = useNotificationWrites(onDone);
  const [confirming, setConfirming] = useState(false);
  const none = selected.length === 0 ? 'Select notifications first' : null;
  return (
    <>
      <Group gap="xs" wrap="nowrap">
        <WriteButton
          size={size}
          variant="light"
          leftSection={<IconMailOpened size={14} />}
          blockedBy={none}
          loading={mark.isPending && mark.variables?.read === true}
          disabled={busy}
          onClick={() => mark.mutate({ refs: selected, read: true })}
          data-testid="feed-mark-read"
        >
          Mark read
        </WriteButton>
        <WriteButton
          size={size}
          variant="light"
          leftSection={<IconMail size={14} />}
          blockedBy={none}
          loading={mark.isPending && mark.variables?.read === false}
          disabled={busy}
          onClick={() => mark.mutate({ refs: selected, read: false })}
          data-testid="feed-mark-unread"
        >
          Mark unread
        </WriteButton>
        <WriteButton
          size={size}
          variant="light"
          color="red"
          leftSection={<IconTrash size={14} />}
          blockedBy={none}
          disabled={busy}
          onClick={() => setConfirming(true)}
          data-testid="feed-delete"
        >
          Delete
        </WriteButton>
      </Group>
      <Modal opened={confirming} onClose={() => setConfirming(false)} title={<Text fw={600}>Delete notifications</Text>}>
        <Stack gap="md">
          <Text size="sm">
            Delete {plural(selected.length, 'notification')}? This cannot be undone.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <WriteButton
              color="red"
              loading={remove.isPending}
              onClick={() =>
                remove.mutate(selected, {
                  onSettled: () => setConfirming(false),
                })
              }
              data-testid="feed-delete-confirm"
            >
              Delete
            </WriteButton>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
