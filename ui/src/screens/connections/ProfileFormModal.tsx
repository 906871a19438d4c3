import {
  Alert,
  Button,
  Checkbox,
  ColorInput,
  Divider,
  Group,
  Input,
  Modal,
  NumberInput,
  PasswordInput,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { IconCircleCheck, IconKeyOff, IconPlugConnected } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import * as backend from '../../backend';
import type { ConnectionTest, Profile, ProfileInput } from '../../backend';
import { ErrorAlert } from '../../components/ErrorAlert';
import { isBackendError } from '../../errors';
import { defaultDatabase, formatCount, formatTopology } from '../../format';
import { queryKeys } from '../../queries';
import { PROFILE_SWATCHES } from '../../theme';
import {
  DEFAULT_URI,
  MAX_TIMEOUT_MS,
  MIN_TIMEOUT_MS,
  initialValues,
  isFormField,
  toProfileInput,
  type ProfileFormValues,
} from './profileForm';

interface Props {
  opened: boolean;
  /** The profile to edit; absent for a new one. */
  profile?: Profile;
  /** Changes each time the form opens, so it always starts from the profile. */
  formKey?: number;
  onClose: () => void;
}

/** Create or edit a connection profile. */
export function ProfileFormModal({ opened, profile, formKey, onClose }: Props) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      size="lg"
      title={
        <Text fw={600} size="lg">
          {profile ? `Edit “${profile.name}”` : 'New connection'}
        </Text>
      }
    >
      <ProfileForm key={formKey} profile={profile} onClose={onClose} />
    </Modal>
  );
}

const MONO_INPUT = { input: { fontFamily: 'var(--mantine-font-family-monospace)' } };

type TestState = { status: 'ok'; result: ConnectionTest } | { status: 'error'; error: unknown } | null;

export function ProfileForm({ profile, onClose }: { profile?: Profile; onClose: () => void }) {
  const queryClient = useQueryClient();
  const editing = profile !== undefined;
  const form = useForm<ProfileFormValues>({
    mode: 'controlled',
    initialValues: initialValues(profile),
    validate: {
      name: (v) => (v.trim() === '' ? 'Give the connection a name' : v.trim().length > 80 ? 'At most 80 characters' : null),
      color: (v) => (/^#[0-9a-fA-F]{6}$/.test(v.trim()) ? null : 'Use a colour like #1e90ff'),
    },
  });
  const [testState, setTestState] = useState<TestState>(null);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [keychainCause, setKeychainCause] = useState<string | null>(null);

  /** Puts a backend error on the field it names; true when it did. */
  const showOnField = (e: unknown): boolean => {
    if (isBackendError(e, 'invalid_input') && isFormField(e.error.data.field)) {
      form.setFieldError(e.error.data.field, e.error.data.message);
      return true;
    }
    if (isBackendError(e, 'invalid_uri')) {
      form.setFieldError('uri', e.error.data.message);
      return true;
    }
    return false;
  };

  const save = useMutation({
    mutationFn: (input: ProfileInput) =>
      editing ? backend.updateProfile(profile.id, input) : backend.createProfile(input),
    onMutate: () => {
      setSaveError(null);
      setKeychainCause(null);
    },
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.profiles });
      notifications.show({
        color: 'teal',
        title: editing ? 'Connection updated' : 'Connection saved',
        message: saved.name,
      });
      onClose();
    },
    onError: (e) => {
      if (isBackendError(e, 'secret_store_unavailable')) {
        setKeychainCause(e.error.data.cause);
      } else if (!showOnField(e)) {
        setSaveError(e);
      }
    },
    meta: { showsErrors: true },
  });

  const test = useMutation({
    mutationFn: (input: ProfileInput) => backend.testConnection(input, profile?.id ?? null),
    onMutate: () => setTestState(null),
    onSuccess: (result) => setTestState({ status: 'ok', result }),
    onError: (error) => {
      showOnField(error);
      setTestState({ status: 'error', error });
    },
    meta: { showsErrors: true },
  });

  const submit = form.onSubmit((values) => save.mutate(toProfileInput(values)));

  const askEachTime = () => {
    form.setFieldValue('remember_password', false);
    save.mutate({ ...toProfileInput(form.getValues()), remember_password: false });
  };

  const runTest = () => {
    if (form.validate().hasErrors) return;
    test.mutate(toProfileInput(form.getValues()));
  };

  const values = form.getValues();
  const passwordHint = !editing
    ? 'Optional. Leave empty when the server needs no authentication.'
    : profile.password === 'keychain'
      ? 'Stored in the OS keychain. Leave empty to keep it.'
      : profile.password === 'ask'
        ? 'Not stored: asked at each connect. Leave empty to keep it that way.'
        : 'Leave empty when the server needs no authentication.';

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <SimpleGrid cols={2} spacing="md">
          <TextInput
            label="Name"
            placeholder="Local development"
            withAsterisk
            data-autofocus
            data-testid="profile-name"
            {...form.getInputProps('name')}
          />
          <Input.Wrapper label="Environment">
            <SegmentedControl
              fullWidth
              data-testid="profile-environment"
              data={[
                { value: 'development', label: 'Development' },
                { value: 'production', label: 'Production' },
              ]}
              color={values.environment === 'production' ? 'red' : undefined}
              value={values.environment}
              onChange={(v) => {
                const environment = v === 'production' ? 'production' : 'development';
                form.setFieldValue('environment', environment);
                if (environment === 'production') form.setFieldValue('read_only', true);
              }}
            />
          </Input.Wrapper>
        </SimpleGrid>
        <TextInput
          label="Connection string"
          placeholder={DEFAULT_URI}
          description="Credentials typed in the URI (user:password@) are moved to the OS keychain, never saved in the profile."
          styles={MONO_INPUT}
          spellCheck={false}
          autoComplete="off"
          data-testid="profile-uri"
          {...form.getInputProps('uri')}
        />
        <SimpleGrid cols={2} spacing="md">
          <TextInput
            label="Username"
            placeholder="None"
            autoComplete="off"
            spellCheck={false}
            data-testid="profile-username"
            {...form.getInputProps('username')}
          />
          <PasswordInput
            label="Password"
            placeholder={editing && profile.password !== 'none' ? '(unchanged)' : ''}
            autoComplete="new-password"
            data-testid="profile-password"
            {...form.getInputProps('password')}
          />
        </SimpleGrid>
        <Stack gap={6} mt={-6}>
          <Text size="xs" c="dimmed">
            {passwordHint}
          </Text>
          <Checkbox
            label="Save password in the OS keychain"
            description="Unchecked: you are asked for it at each connect; it is never stored."
            data-testid="profile-remember-password"
            {...form.getInputProps('remember_password', { type: 'checkbox' })}
          />
        </Stack>

        <Divider label="Options" labelPosition="left" />

        <SimpleGrid cols={3} spacing="md">
          <TextInput
            label="Database"
            description="Empty: environment default"
            placeholder={defaultDatabase(values.environment)}
            styles={MONO_INPUT}
            spellCheck={false}
            autoComplete="off"
            data-testid="profile-database"
            {...form.getInputProps('database')}
          />
          <NumberInput
            label="Timeout"
            description="Connect and server selection"
            min={MIN_TIMEOUT_MS}
            max={MAX_TIMEOUT_MS}
            step={500}
            clampBehavior="blur"
            allowDecimal={false}
            allowNegative={false}
            thousandSeparator=","
            suffix=" ms"
            data-testid="profile-timeout"
            {...form.getInputProps('timeout_ms')}
          />
          <ColorInput
            label="Colour"
            description="Accent for this connection"
            format="hex"
            swatches={PROFILE_SWATCHES}
            swatchesPerRow={9}
            withEyeDropper={false}
            data-testid="profile-color"
            {...form.getInputProps('color')}
          />
        </SimpleGrid>
        <SimpleGrid cols={2} spacing="md">
          <Checkbox
            label="Read-only"
            description={
              values.environment === 'production'
                ? 'Production always opens read-only.'
                : 'Refuse every write through this connection.'
            }
            data-testid="profile-read-only"
            {...form.getInputProps('read_only', { type: 'checkbox' })}
          />
          <Checkbox
            label="Audit to the database"
            description="Also log changes to admin_audit_log."
            data-testid="profile-audit"
            {...form.getInputProps('audit_to_database', { type: 'checkbox' })}
          />
          <Checkbox
            label="Read charts from secondaries (secondaryPreferred)"
            description="The dashboard's aggregations stay off the primary where the replica set has secondaries."
            data-testid="profile-analytics-secondaries"
            {...form.getInputProps('analytics_from_secondaries', { type: 'checkbox' })}
          />
        </SimpleGrid>

        {testState?.status === 'ok' && <TestResult result={testState.result} />}
        {testState?.status === 'error' && <ErrorAlert error={testState.error} testId="profile-test-error" />}

        {keychainCause !== null && (
          <Alert
            data-testid="profile-keychain-unavailable"
            color="orange"
            variant="light"
            icon={<IconKeyOff size={18} />}
            title="OS keychain unavailable"
          >
            <Text size="sm">
              The password could not be saved because the OS keychain is unavailable ({keychainCause}). The profile was not
              saved.
            </Text>
            <Button
              mt="sm"
              size="xs"
              variant="white"
              color="orange"
              loading={save.isPending}
              data-testid="profile-ask-each-time"
              onClick={askEachTime}
            >
              Ask for the password at each connect instead
            </Button>
          </Alert>
        )}
        {saveError !== null && <ErrorAlert error={saveError} testId="profile-save-error" />}

        <Group justify="space-between" mt="xs">
          <Button
            variant="default"
            leftSection={<IconPlugConnected size={16} />}
            loading={test.isPending}
            onClick={runTest}
            data-testid="profile-test"
          >
            Test connection
          </Button>
          <Group gap="sm">
            <Button variant="subtle" color="gray" onClick={onClose} data-testid="profile-cancel">
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending} data-testid="profile-save">
              Save
            </Button>
          </Group>
        </Group>
      </Stack>
    </form>
  );
}

function TestResult({ result }: { result: ConnectionTest }) {
  return (
    <Alert
      data-testid="profile-test-ok"
      color="teal"
      variant="light"
      icon={<IconCircleCheck size={18} />}
      title="Connection works"
    >
      <Text size="sm">
        MongoDB {result.server.version} · {formatTopology(result.server.topology)} · database{' '}
        <Text span ff="monospace" fw={500}>
          {result.database}
        </Text>{' '}
        with {formatCount(result.collections)} {result.collections === 1 ? 'collection' : 'collections'}
      </Text>
    </Alert>
  );
}
