import { Alert, Button, Group, Modal, MultiSelect, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconCalendar } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import * as backend from '../../backend';
import type { UserDetail, UserEdit } from '../../backend';
import { ROLES, TIERS } from '../../bindings';
import { ErrorAlert } from '../../components/ErrorAlert';
import { isBackendError } from '../../errors';
import { dayStart, utcDay } from '../../format';
import { queryKeys } from '../../queries';

interface Values {
  roles: string[];
  tier: string;
  /** `YYYY-MM-DD` (UTC). */
  expires: string | null;
  display_name: string;
  bio: string;
}

const NO_TIER = 'none';
/** Form fields by the `invalid_input` field names the backend uses. */
const FORM_FIELD: Record<string, keyof Values> = {
  roles: 'roles',
  tier: 'tier',
  expires_at: 'expires',
  display_name: 'display_name',
  bio: 'bio',
};

export function EditUserModal({ opened, user, onClose }: { opened: boolean; user: UserDetail; onClose: () => void }) {
  // Set when a save met `conflict`: the user was reloaded, and the form
  // (keyed by the loaded version) starts over from the current values.
  const [conflicted, setConflicted] = useState(false);
  useEffect(() => {
    if (!opened) setConflicted(false);
  }, [opened]);
  return (
    <Modal opened={opened} onClose={onClose} title={<Text fw={600}>Edit {user.email}</Text>} size="lg">
      {opened && conflicted && (
        <Alert color="orange" variant="light" mb="md" icon={<IconAlertTriangle size={18} />} title="Changed by someone else" data-testid="edit-conflict">
          This user changed since the form was opened, so nothing was saved. The form now shows the current values: apply your
          change again.
        </Alert>
      )}
      {opened && <EditUserForm key={user.version} user={user} onClose={onClose} onConflict={() => setConflicted(true)} />}
    </Modal>
  );
}

function EditUserForm({ user, onClose, onConflict }: { user: UserDetail; onClose: () => void; onConflict: () => void }) {
  const queryClient = useQueryClient();
  const form = useForm<Values>({
    initialValues: {
      roles: user.roles,
      tier: user.tier ?? NO_TIER,
      expires: utcDay(user.expires_at),
      display_name: user.display_name ?? '',
      bio: user.bio ?? '',
    },
  });

  const save = useMutation({
    mutationFn: (edit: UserEdit) => backend.updateUser(user.id, edit),
    onSuccess: (updated) => {
      queryClient.setQueryData(queryKeys.userDetail(user.id), updated);
      void queryClient.invalidateQueries({ queryKey: queryKeys.userDetail(user.id) });
      void queryClient.invalidateQueries({ queryKey: ['db', 'users'] });
      notifications.show({ color: 'teal', title: 'User updated', message: updated.email });
      onClose();
    },
    onError: (e) => {
      if (isBackendError(e, 'invalid_input')) {
        const field = FORM_FIELD[e.error.data.field];
        if (field) form.setFieldError(field, e.error.data.message);
      }
      if (isBackendError(e, 'conflict')) {
        // `current` is the stored detail now: show it at once, then reload.
        if (e.error.data.current) {
          try {
            queryClient.setQueryData(queryKeys.userDetail(user.id), JSON.parse(e.error.data.current) as UserDetail);
          } catch {
            // Unreadable: the reload below still brings it.
          }
        }
        void queryClient.invalidateQueries({ queryKey: queryKeys.userDetail(user.id) });
        onConflict();
      }
      if (isBackendError(e, 'last_superadmin')) {
        form.setFieldError('roles', 'The last superadmin must keep the superadmin role');
      }
    },
    meta: { showsErrors: true }, // on the fields, or the alerts in the form
  });

  const submit = form.onSubmit((v) => {
    save.reset();
    // An unchanged expiry date keeps its exact stored instant.
    const expires_at = v.expires === null ? null : v.expires === utcDay(user.expires_at) ? user.expires_at : dayStart(v.expires);
    save.mutate({
      roles: v.roles,
      tier: v.tier === NO_TIER ? null : v.tier,
      expires_at,
      display_name: v.display_name.trim() || null,
      bio: v.bio.trim() || null,
      version: user.version,
    });
  });

  const invalidField = isBackendError(save.error, 'invalid_input') ? FORM_FIELD[save.error.error.data.field] : undefined;
  const showGenericError =
    save.isError && !isBackendError(save.error, 'last_superadmin') && !isBackendError(save.error, 'conflict') && !invalidField;

  return (
    <form onSubmit={submit} data-testid="edit-user-form">
      <Stack gap="md">
        <MultiSelect
          label="Roles"
          data={[...ROLES]}
          {...form.getInputProps('roles')}
          data-testid="edit-roles"
          comboboxProps={{ withinPortal: false }}
        />
        <Group grow align="flex-start">
          <Select
            label="Subscription tier"
            data={[{ value: NO_TIER, label: 'None' }, ...TIERS.map((t) => ({ value: t, label: t }))]}
            allowDeselect={false}
            {...form.getInputProps('tier')}
            data-testid="edit-tier"
            comboboxProps={{ withinPortal: false }}
          />
          <DateInput
            label="Expires (UTC)"
            valueFormat="YYYY-MM-DD"
            placeholder="No expiry"
            clearable
            leftSection={<IconCalendar size={14} />}
            {...form.getInputProps('expires')}
            data-testid="edit-expires"
          />
        </Group>
        <TextInput label="Display name" {...form.getInputProps('display_name')} data-testid="edit-display-name" />
        <Textarea label="Bio" autosize minRows={2} maxRows={6} {...form.getInputProps('bio')} data-testid="edit-bio" />

        {isBackendError(save.error, 'last_superadmin') && (
          <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title="Last superadmin" data-testid="edit-last-superadmin">
            This is the only superadmin left. Give another user the superadmin role before removing it here.
          </Alert>
        )}
        {showGenericError && <ErrorAlert error={save.error} testId="edit-error" />}

        <Group justify="flex-end" gap="sm">
          <Button variant="subtle" color="gray" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending} disabled={!form.isDirty()} data-testid="edit-save">
            Save changes
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
