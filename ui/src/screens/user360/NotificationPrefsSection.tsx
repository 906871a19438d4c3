import { Alert, Badge, Button, Code, Group, Select, Stack, Switch, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconBell, IconCheck, IconInfoCircle } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import * as backend from '../../backend';
import type { NotificationPreferences, UserSettings } from '../../backend';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Section, SectionError, SectionSkeleton } from '../../components/Section';
import { DIGEST_FREQUENCIES } from '../../bindings';
import { WriteButton } from '../../components/WriteButton';
import { isBackendError } from '../../errors';
import { queryKeys } from '../../queries';
import { ConflictModal } from './ConflictModal';
import { useUserSettings } from './useUser';

const DEFAULTS: NotificationPreferences = { email_enabled: true, push_enabled: false, digest_frequency: 'weekly' };

export function NotificationPrefsSection({ userId, readOnly }: { userId: string; readOnly: boolean }) {
  const settings = useUserSettings(userId);
  const [saved, setSaved] = useState(false);
  return (
    <Section
      title="Notification preferences"
      icon={<IconBell size={16} />}
      testId="section-notification-prefs"
      actions={
        saved && (
          <Badge color="teal" variant="light" leftSection={<IconCheck size={12} />} data-testid="pref-saved">
            Saved
          </Badge>
        )
      }
    >
      {settings.isPending ? (
        <SectionSkeleton lines={3} testId="prefs-loading" />
      ) : settings.isError ? (
        <SectionError error={settings.error} onRetry={() => void settings.refetch()} testId="prefs-error" />
      ) : (
        <PrefsForm
          // A new stored value (a save, a reload) starts a fresh form.
          key={settings.data.notification_preferences_json ?? '(absent)'}
          userId={userId}
          settings={settings.data}
          readOnly={readOnly}
          reloading={settings.isFetching}
          onReload={() => settings.refetch()}
          onSaved={() => setSaved(true)}
          onEdited={() => setSaved(false)}
        />
      )}
    </Section>
  );
}

function PrefsForm({
  userId,
  settings,
  readOnly,
  reloading,
  onReload,
  onSaved,
  onEdited,
}: {
  userId: string;
  settings: UserSettings;
  readOnly: boolean;
  reloading: boolean;
  onReload: () => Promise<unknown>;
  onSaved: () => void;
  onEdited: () => void;
}) {
  const queryClient = useQueryClient();
  /** What the form was loaded with: sent back as `expected`. */
  const expected = settings.notification_preferences_json;
  const stored = settings.notification_preferences;
  const form = useForm<NotificationPreferences>({
    initialValues: stored ?? DEFAULTS,
    onValuesChange: () => {
      onEdited();
      save.reset();
    },
  });
  const [conflict, setConflict] = useState<{ current: string | null } | null>(null);

  const save = useMutation({
    mutationFn: (prefs: NotificationPreferences) => backend.saveNotificationPreferences(userId, prefs, expected),
    onSuccess: (next) => {
      queryClient.setQueryData(queryKeys.userSettings(userId), next);
      form.resetDirty();
      onSaved();
    },
    onError: (e) => {
      if (isBackendError(e, 'conflict')) setConflict({ current: e.error.data.current });
      else if (isBackendError(e, 'invalid_input') && e.error.data.field === 'digest_frequency') {
        form.setFieldError('digest_frequency', e.error.data.message);
      }
    },
    meta: { showsErrors: true }, // the conflict dialog, the field, or the alert below
  });

  const digest = form.values.digest_frequency;
  const digestOptions = (DIGEST_FREQUENCIES as readonly string[]).includes(digest)
    ? [...DIGEST_FREQUENCIES]
    : [...DIGEST_FREQUENCIES, { value: digest, label: `${digest} (not a known value)` }];
  const canSave = form.isDirty() || stored === null;
  const fieldError = isBackendError(save.error, 'invalid_input') && save.error.error.data.field === 'digest_frequency';

  return (
    <form onSubmit={form.onSubmit((v) => save.mutate(v))} data-testid="notification-prefs">
      <Stack gap="md">
        {!settings.exists ? (
          <Alert color="blue" variant="light" icon={<IconInfoCircle size={18} />} data-testid="prefs-no-settings">
            This user has no settings document yet. The form shows defaults; saving creates the document.
          </Alert>
        ) : stored === null && expected === null ? (
          <Alert color="blue" variant="light" icon={<IconInfoCircle size={18} />} data-testid="prefs-absent">
            No notification preferences are stored. The form shows defaults; saving adds them.
          </Alert>
        ) : stored === null ? (
          <Alert color="yellow" variant="light" icon={<IconInfoCircle size={18} />} title="Unexpected stored value" data-testid="prefs-unreadable">
            <Text size="sm" mb={6}>
              The stored preferences do not have the expected shape; saving replaces them.
            </Text>
            <Code block>{expected}</Code>
          </Alert>
        ) : null}

        <Switch
          label="Email notifications"
          description="Messages sent to the user's email address"
          {...form.getInputProps('email_enabled', { type: 'checkbox' })}
          disabled={readOnly}
          data-testid="pref-email-enabled"
          wrapperProps={{ 'data-testid': 'pref-email-enabled-switch' }}
        />
        <Switch
          label="Push notifications"
          description="Browser and mobile push"
          {...form.getInputProps('push_enabled', { type: 'checkbox' })}
          disabled={readOnly}
          data-testid="pref-push-enabled"
        />
        <Select
          label="Digest"
          description="How often a summary email is sent"
          data={digestOptions}
          allowDeselect={false}
          w={220}
          {...form.getInputProps('digest_frequency')}
          disabled={readOnly}
          data-testid="pref-digest"
        />

        {save.isError && !isBackendError(save.error, 'conflict') && !fieldError && (
          <ErrorAlert error={save.error} testId="prefs-save-error" />
        )}

        <Group justify="flex-end" gap="sm">
          {form.isDirty() && (
            <Button variant="subtle" color="gray" onClick={() => form.reset()} disabled={save.isPending}>
              Discard changes
            </Button>
          )}
          <WriteButton type="submit" loading={save.isPending} disabled={!canSave} data-testid="pref-save">
            Save preferences
          </WriteButton>
        </Group>
      </Stack>

      <ConflictModal
        opened={conflict !== null}
        what="notification preferences"
        current={conflict?.current ?? null}
        reloading={reloading}
        onClose={() => setConflict(null)}
        onReload={async () => {
          await onReload();
          setConflict(null);
        }}
      />
    </form>
  );
}
