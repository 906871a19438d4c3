import { Button, Group, Modal, PasswordInput, Stack, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import * as backend from '../../backend';
import type { Overview, Profile } from '../../backend';
import { ErrorAlert } from '../../components/ErrorAlert';
import { isBackendError } from '../../errors';
import { useHostKeyConfirm } from './HostKeyConfirm';

interface Props {
  /** The profile that needs a password; null keeps the modal closed. */
  profile: Profile | null;
  onClose: () => void;
  onConnected: (overview: Overview) => void;
}

/** Asks for a password the profile does not store, then connects with it. */
export function PasswordPromptModal({ profile, onClose, onConnected }: Props) {
  return (
    <Modal
      opened={profile !== null}
      onClose={onClose}
      title={
        <Text fw={600} size="lg">
          Password required
        </Text>
      }
    >
      {profile && <PasswordPrompt key={profile.id} profile={profile} onClose={onClose} onConnected={onConnected} />}
    </Modal>
  );
}

function PasswordPrompt({ profile, onClose, onConnected }: { profile: Profile; onClose: () => void; onConnected: (o: Overview) => void }) {
  const [password, setPassword] = useState('');
  const hostKey = useHostKeyConfirm();
  const connect = useMutation({
    mutationFn: (pw: string) => backend.connect(profile.id, pw),
    onSuccess: (overview) => {
      onClose();
      onConnected(overview);
    },
    onError: (e, pw) => hostKey.handle(e, () => connect.mutate(pw)),
    meta: { showsErrors: true },
  });

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (password !== '') connect.mutate(password);
      }}
    >
      <Stack gap="md">
        <Text size="sm">
          <Text span fw={600}>
            {profile.name}
          </Text>{' '}
          does not store its password
          {profile.username ? (
            <>
              {' '}
              for user{' '}
              <Text span ff="monospace">
                {profile.username}
              </Text>
            </>
          ) : null}
          . It is used for this connection only and never saved.
        </Text>
        <PasswordInput
          label="Password"
          data-autofocus
          data-testid="password-prompt-input"
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          autoComplete="current-password"
        />
        {connect.isError && !isBackendError(connect.error, 'ssh_host_key_unknown') && (
          <ErrorAlert error={connect.error} testId="password-prompt-error" />
        )}
        {hostKey.modal}
        <Group justify="flex-end" gap="sm">
          <Button variant="subtle" color="gray" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={connect.isPending} disabled={password === ''} data-testid="password-prompt-connect">
            Connect
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
