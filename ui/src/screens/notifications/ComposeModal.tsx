import { Alert, Autocomplete, Button, Group, Modal, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import * as backend from '../../backend';
import type { Compose } from '../../backend';
import { NOTIFICATION_TYPES } from '../../bindings';
import { WriteButton } from '../../components/WriteButton';
import { describeFailure, isBackendError } from '../../errors';
import { invalidateNotifications } from './useNotificationWrites';
import { UserPicker, type PickedUser } from './UserPicker';

interface Values {
  user: PickedUser | null;
  type: string;
  title: string;
  message: string;
  metadata: string;
}

/** Form fields by the `invalid_input` field names the backend uses. */
const FORM_FIELD: Record<string, keyof Values> = {
  user_id: 'user',
  type: 'type',
  title: 'title',
  message: 'message',
  metadata: 'metadata',
  metadata_json: 'metadata',
};

export function ComposeModal({ opened, onClose, initialUser }: { opened: boolean; onClose: () => void; initialUser: PickedUser | null }) {
  return (
    <Modal opened={opened} onClose={onClose} title={<Text fw={600}>Send a notification</Text>} size="lg">
      {opened && <ComposeForm onClose={onClose} initialUser={initialUser} />}
    </Modal>
  );
}

function ComposeForm({ onClose, initialUser }: { onClose: () => void; initialUser: PickedUser | null }) {
  const client = useQueryClient();
  const form = useForm<Values>({
    initialValues: { user: initialUser, type: NOTIFICATION_TYPES[0], title: '', message: '', metadata: '' },
    validate: {
      user: (v) => (v ? null : 'Pick a user'),
      type: (v) => (v.trim() ? null : 'Required'),
      title: (v) => (v.trim() ? null : 'Required'),
      message: (v) => (v.trim() ? null : 'Required'),
    },
  });
  const send = useMutation({
    mutationFn: (c: Compose) => backend.sendNotification(c),
    onSuccess: ({ row, audit_error }) => {
      notifications.show({ color: 'teal', title: 'Notification sent', message: `${row.title} → ${row.user_id}` });
      // Sent, whatever the audit says: sending again would send it twice.
      if (audit_error) notifications.show({ color: 'orange', title: 'Audit entry not written', message: audit_error, autoClose: false });
      invalidateNotifications(client);
      onClose();
    },
    onError: (e) => {
      if (isBackendError(e, 'invalid_input')) {
        const field = FORM_FIELD[e.error.data.field];
        if (field) form.setFieldError(field, e.error.data.message);
      } else if (isBackendError(e, 'invalid_id')) {
        form.setFieldError('user', describeFailure(e).message);
      }
    },
    meta: { showsErrors: true }, // on the fields, or the alert below
  });
  const fieldError =
    (isBackendError(send.error, 'invalid_input') && FORM_FIELD[send.error.error.data.field] !== undefined) ||
    isBackendError(send.error, 'invalid_id');

  const submit = form.onSubmit((v) => {
    send.reset();
    send.mutate({
      user_id: v.user!.id,
      type: v.type.trim(),
      title: v.title.trim(),
      message: v.message.trim(),
      metadata_json: v.metadata.trim() || null,
    });
  });

  return (
    <form onSubmit={submit} data-testid="compose-form">
      <Stack gap="sm">
        <UserPicker
          label="User"
          value={form.values.user}
          onChange={(u) => form.setFieldValue('user', u)}
          error={form.errors.user as string | undefined}
          testId="compose-user"
        />
        <Autocomplete
          label="Type"
          description="One of the platform's types, or a new one (a-z, 0-9, _)"
          data={[...NOTIFICATION_TYPES]}
          {...form.getInputProps('type')}
          comboboxProps={{ withinPortal: false }}
          data-testid="compose-type"
        />
        <TextInput label="Title" {...form.getInputProps('title')} data-testid="compose-title" />
        <Textarea label="Message" autosize minRows={3} maxRows={8} {...form.getInputProps('message')} data-testid="compose-message" />
        <Textarea
          label="Metadata (optional)"
          description="A JSON object stored as the notification's metadata"
          placeholder='{"task_id": "…"}'
          autosize
          minRows={2}
          maxRows={10}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          {...form.getInputProps('metadata')}
          data-testid="compose-metadata"
        />
        {send.isError && !fieldError && (
          <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title={describeFailure(send.error).title} data-testid="compose-error">
            {describeFailure(send.error).message}
          </Alert>
        )}
        <Group justify="flex-end" mt="xs">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <WriteButton type="submit" loading={send.isPending} data-testid="compose-send">
            Send
          </WriteButton>
        </Group>
      </Stack>
    </form>
  );
}
