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
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  type TextInputProps,
} from '@mantine/core';
import { useForm, type UseFormReturnType } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconCircleCheck, IconKeyOff, IconPlugConnected } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import * as backend from '../../backend';
import type { ConnectionTest, Profile, ProfileInput } from '../../backend';
import { ErrorAlert } from '../../components/ErrorAlert';
import { isBackendError } from '../../errors';
import { defaultDatabase, formatCount, formatTopology } from '../../format';
import { queryKeys } from '../../queries';
import { PROFILE_SWATCHES } from '../../theme';
import { FailedStep, PassedSteps } from './ConnectSteps';
import { useHostKeyConfirm } from './HostKeyConfirm';
import {
  DEFAULT_URI,
  MAX_TIMEOUT_MS,
  MIN_TIMEOUT_MS,
  formFieldFor,
  initialValues,
  sshSecretShown,
  
  toProfileInput,
  type ProfileFormValues,
  type SshMethod,
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

/** A field for machine text (hosts, paths, names): monospace, no spelling or autofill. */
function MachineInput(props: TextInputProps) {
  return <TextInput styles={MONO_INPUT} spellCheck={false} autoComplete="off" {...props} />;
}

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
  const hostKey = useHostKeyConfirm();

  /** Puts a backend error on the field it names; true when it did. */
  const showOnField = (e: unknown): boolean => {
    const field = isBackendError(e, 'invalid_input') ? formFieldFor(e.error.data.field) : null;
    if (isBackendError(e, 'invalid_input') && field !== null) {
      form.setFieldError(field, e.error.data.message);
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
    onError: (error, input) => {
      if (hostKey.handle(error, () => test.mutate(input))) return;
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

  /**
   * What a pasted URI's TLS and read-preference options will set, said at
   * once: shown, not copied into the fields (where the string would win).
   */
  const [uriSays, setUriSays] = useState<string[]>([]);
  const describeUri = async () => {
    const uri = form.getValues().uri.trim();
    let said: string[] = [];
    try {
      said = uri === '' ? [] : (await backend.describeUri(uri)).said;
    } catch {
      // A URI the backend cannot read is said on save, on its field.
    }
    // A reply for a URI edited since is stale.
    if (form.getValues().uri.trim() === uri) setUriSays(said);
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
        <MachineInput
          label="Connection string"
          placeholder={DEFAULT_URI}
          description="Credentials typed in the URI (user:password@) are moved to the OS keychain, never saved in the profile."
          data-testid="profile-uri"
          {...form.getInputProps('uri')}
          onBlur={() => void describeUri()}
        />
        {uriSays.length > 0 && (
          <Alert color="blue" variant="light" data-testid="profile-uri-says" mt={-6}>
            <Text size="xs">
              From the connection string, moved into the sections below when saved: {uriSays.join(' · ')}.
            </Text>
          </Alert>
        )}
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
          <MachineInput
            label="Database"
            description="Empty: environment default"
            placeholder={defaultDatabase(values.environment)}
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
        <SimpleGrid cols={3} spacing="md">
          <MachineInput
            label="MozaiksAI database"
            description="chat_sessions, workflow_stats"
            data-testid="profile-ai-database"
            {...form.getInputProps('ai_database')}
          />
          <MachineInput
            label="MozaiksDB database"
            description="Enterprises, Wallets"
            data-testid="profile-shared-database"
            {...form.getInputProps('shared_database')}
          />
          <Checkbox
            mt="lg"
            label="Allow writes there"
            description="They belong to other services: read-only unless checked."
            data-testid="profile-other-writable"
            {...form.getInputProps('other_databases_writable', { type: 'checkbox' })}
          />
        </SimpleGrid>

        {/* Whether a stored secret still fits is the backend's to say: it asks for a new one when not. */}
        <SshSection form={form} storedSecret={editing && profile.ssh != null && sshSecretShown(initialValues(profile))} />
        <TlsSection form={form} storedKeyPassword={editing && profile.tls?.key_password === true} />
        <ReadPreferenceSection form={form} />

        {testState?.status === 'ok' && <TestResult result={testState.result} />}
        {testState?.status === 'error' && (
          <Stack gap={6}>
            <FailedStep error={testState.error} />
            <ErrorAlert error={testState.error} testId="profile-test-error" />
          </Stack>
        )}

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
            {/* Only the database password can be asked at each connect. */}
            {!typesKeychainOnlySecret(values) && (
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
            )}
          </Alert>
        )}
        {saveError !== null && <ErrorAlert error={saveError} testId="profile-save-error" />}
        {hostKey.modal}

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

type Form = UseFormReturnType<ProfileFormValues>;

/** An SSH or TLS key secret is typed: those live in the keychain or nowhere. */
function typesKeychainOnlySecret(values: ProfileFormValues): boolean {
  const input = toProfileInput(values);
  return input.ssh_secret != null || input.tls_key_password != null;
}

const SSH_METHODS: { value: SshMethod; label: string }[] = [
  { value: 'key_file', label: 'Key file' },
  { value: 'password', label: 'Password' },
  { value: 'agent', label: 'SSH agent' },
];

/** A section the profile may switch on: its fields show only then. */
function OptionalSection(props: {
  form: Form;
  field: 'ssh_enabled' | 'tls_enabled';
  title: string;
  label: string;
  description: string;
  testId: string;
  children: ReactNode;
}) {
  const { form, field, testId } = props;
  return (
    <Stack gap="sm" data-testid={`${testId}-section`}>
      <Divider label={props.title} labelPosition="left" />
      <Checkbox
        label={props.label}
        description={props.description}
        data-testid={`${testId}-enabled`}
        {...form.getInputProps(field, { type: 'checkbox' })}
      />
      {form.getValues()[field] && props.children}
    </Stack>
  );
}

/** The bastion every connection of the profile goes through. */
function SshSection({ form, storedSecret }: { form: Form; storedSecret: boolean }) {
  const values = form.getValues();
  const secretLabel = values.ssh_method === 'password' ? 'SSH password' : 'Key passphrase';
  const needsSecret = sshSecretShown(values);
  return (
    <OptionalSection
      form={form}
      field="ssh_enabled"
      title="SSH tunnel"
      label="Connect through an SSH bastion"
      description="Every connection the driver opens (each replica-set member too) goes through the bastion."
      testId="profile-ssh"
    >
      <SimpleGrid cols={3} spacing="md">
        <MachineInput
          label="Bastion host"
          placeholder="bastion.example.com"
          data-testid="profile-ssh-host"
          {...form.getInputProps('ssh_host')}
        />
        <NumberInput
          label="Port"
          min={1}
          max={65535}
          allowDecimal={false}
          allowNegative={false}
          data-testid="profile-ssh-port"
          {...form.getInputProps('ssh_port')}
        />
        <TextInput
          label="User"
          spellCheck={false}
          autoComplete="off"
          data-testid="profile-ssh-user"
          {...form.getInputProps('ssh_user')}
        />
      </SimpleGrid>
      <Input.Wrapper label="Authentication">
        <SegmentedControl
          fullWidth
          data={SSH_METHODS}
          data-testid="profile-ssh-method"
          value={values.ssh_method}
          onChange={(v) => {
            // A password typed for one method is never kept for another.
            form.setFieldValue('ssh_method', v as SshMethod);
            form.setFieldValue('ssh_secret', '');
          }}
        />
      </Input.Wrapper>
      {values.ssh_method === 'key_file' && (
        <>
          <MachineInput
            label="Private key file"
            description="OpenSSH or PKCS#8; an absolute path or one starting with ~/"
            placeholder="~/.ssh/id_ed25519"
            data-testid="profile-ssh-key-path"
            {...form.getInputProps('ssh_key_path')}
          />
          <Checkbox
            label="The key has a passphrase"
            data-testid="profile-ssh-key-passphrase"
            {...form.getInputProps('ssh_key_has_passphrase', { type: 'checkbox' })}
          />
        </>
      )}
      {values.ssh_method === 'agent' && (
        <Text size="xs" c="dimmed">
          The keys of the running SSH agent (SSH_AUTH_SOCK) are offered in turn.
        </Text>
      )}
      {needsSecret && (
        <PasswordInput
          label={secretLabel}
          description={
            storedSecret
              ? 'Stored in the OS keychain. Leave empty to keep it (another bastion, user or key needs its own).'
              : 'Kept in the OS keychain, never in the profile file.'
          }
          placeholder={storedSecret ? '(unchanged)' : ''}
          autoComplete="new-password"
          data-testid="profile-ssh-secret"
          {...form.getInputProps('ssh_secret')}
        />
      )}
    </OptionalSection>
  );
}

/** TLS files and the two checks a user may switch off, each with its risk said. */
function TlsSection({ form, storedKeyPassword }: { form: Form; storedKeyPassword: boolean }) {
  const values = form.getValues();
  return (
    <OptionalSection
      form={form}
      field="tls_enabled"
      title="TLS"
      label="Use TLS"
      description="A connection string with tls=true and its file options fills this section when saved."
      testId="profile-tls"
    >
      <SimpleGrid cols={2} spacing="md">
        <MachineInput
          label="CA file"
          description="PEM; empty trusts the system's CAs"
          placeholder="~/certs/ca.pem"
          data-testid="profile-tls-ca-file"
          {...form.getInputProps('tls_ca_file')}
        />
        <MachineInput
          label="Client certificate and key"
          description="One PEM holding both; empty sends none"
          placeholder="~/certs/client.pem"
          data-testid="profile-tls-cert-key-file"
          {...form.getInputProps('tls_cert_key_file')}
        />
      </SimpleGrid>
      <Checkbox
        label="The client key is encrypted"
        data-testid="profile-tls-key-encrypted"
        {...form.getInputProps('tls_key_encrypted', { type: 'checkbox' })}
      />
      {values.tls_key_encrypted && (
        <PasswordInput
          label="Client key password"
          description={
            storedKeyPassword
                ? 'Stored in the OS keychain. Leave empty to keep it (another key file needs its own).'
                : 'Kept in the OS keychain.'
          }
          placeholder={storedKeyPassword ? '(unchanged)' : ''}
          autoComplete="new-password"
          data-testid="profile-tls-key-password"
          {...form.getInputProps('tls_key_password')}
        />
      )}
      <SimpleGrid cols={2} spacing="md">
        <Checkbox
          label="Allow invalid host names"
          description="Accepts a certificate issued for another server."
          color="orange"
          data-testid="profile-tls-allow-invalid-hostnames"
          {...form.getInputProps('tls_allow_invalid_hostnames', { type: 'checkbox' })}
        />
        <Checkbox
          label="Allow invalid certificates"
          description="No certificate check at all."
          color="red"
          data-testid="profile-tls-allow-invalid-certificates"
          {...form.getInputProps('tls_allow_invalid_certificates', { type: 'checkbox' })}
        />
      </SimpleGrid>
      {(values.tls_allow_invalid_hostnames || values.tls_allow_invalid_certificates) && (
        <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />} data-testid="profile-tls-warning">
          <Text size="sm">
            With a check off, anyone on the network path can pose as the server and read the password. The
            connection header shows this warning for as long as the profile is open.
          </Text>
        </Alert>
      )}
    </OptionalSection>
  );
}

const READ_MODES = [
  { value: 'primary', label: 'primary' },
  { value: 'primary_preferred', label: 'primaryPreferred' },
  { value: 'secondary', label: 'secondary' },
  { value: 'secondary_preferred', label: 'secondaryPreferred' },
  { value: 'nearest', label: 'nearest' },
];

/** Which members answer browsing reads; writes and what decides them stay on the primary. */
function ReadPreferenceSection({ form }: { form: Form }) {
  return (
    <Stack gap="sm" data-testid="profile-read-preference-section">
      <Divider label="Read preference" labelPosition="left" />
      <SimpleGrid cols={2} spacing="md">
        <Select
          label="Browsing reads from"
          description="Writes, and the reads that decide them, always go to the primary."
          data={READ_MODES}
          allowDeselect={false}
          data-testid="profile-read-mode"
          {...form.getInputProps('read_mode')}
        />
        <NumberInput
          label="Max staleness"
          description="Seconds (90 or more); empty: no limit"
          min={0}
          max={4294967295}
          allowDecimal={false}
          allowNegative={false}
          suffix=" s"
          data-testid="profile-read-max-staleness"
          {...form.getInputProps('read_max_staleness')}
        />
      </SimpleGrid>
      <Textarea
        label="Tag sets"
        description="One set per line, tried in order: dc: east, rack: 2. A line * matches any member."
        autosize
        minRows={1}
        styles={MONO_INPUT}
        spellCheck={false}
        data-testid="profile-read-tags"
        {...form.getInputProps('read_tags')}
      />
    </Stack>
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
      <PassedSteps steps={result.steps} />
    </Alert>
  );
}
