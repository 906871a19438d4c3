import { Button, Code, Group, Modal, Stack, Text } from '@mantine/core';
import { IconFingerprint } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import * as backend from '../../backend';
import type { AppError } from '../../backend';
import { ErrorAlert } from '../../components/ErrorAlert';
import { isBackendError } from '../../errors';

export type HostKeyOffer = Extract<AppError, { type: 'ssh_host_key_unknown' }>['data'];

interface Pending {
  offer: HostKeyOffer;
  retry: () => void;
}

/**
 * A bastion's first key is trusted only after the user compared its
 * fingerprint: `handle` opens the question for an `ssh_host_key_unknown`
 * failure; on "Trust" the backend keeps exactly that key and `retry` runs.
 */
export function useHostKeyConfirm(): { handle: (error: unknown, retry: () => void) => boolean; modal: ReactNode } {
  const [pending, setPending] = useState<Pending | null>(null);
  // The question answered travels with the request: a later one never
  // takes its place.
  const trust = useMutation({
    mutationFn: ({ offer }: Pending) => backend.trustHostKey(offer.host, offer.port, offer.fingerprint),
    onSuccess: (_, answered) => {
      setPending((now) => (now === answered ? null : now));
      answered.retry();
    },
    meta: { showsErrors: true },
  });
  const close = () => {
    if (!trust.isPending) setPending(null);
  };
  const handle = (error: unknown, retry: () => void) => {
    if (!isBackendError(error, 'ssh_host_key_unknown')) return false;
    trust.reset();
    setPending({ offer: error.error.data, retry });
    return true;
  };
  const modal = (
    <Modal
      opened={pending !== null}
      onClose={close}
      size="lg"
      title={
        <Group gap="xs">
          <IconFingerprint size={20} />
          <Text fw={600} size="lg">
            Trust this SSH host key?
          </Text>
        </Group>
      }
    >
      {pending && (
        <Stack gap="md" data-testid="host-key-confirm">
          <Text size="sm">
            This computer has not met{' '}
            <Text span ff="monospace" fw={600}>
              {pending.offer.host}:{pending.offer.port}
            </Text>{' '}
            before. Compare the fingerprint below with the one the bastion&apos;s administrator gives you (
            <Text span ff="monospace" size="xs">
              ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub
            </Text>
            ). Trust it only if they match; a key that differs could be someone in the middle.
          </Text>
          <Code block data-testid="host-key-fingerprint">
            {`${pending.offer.key_type}\n${pending.offer.fingerprint}`}
          </Code>
          {trust.isError && <ErrorAlert error={trust.error} testId="host-key-trust-error" />}
          <Group justify="flex-end" gap="sm">
            <Button
              variant="subtle"
              color="gray"
              disabled={trust.isPending}
              onClick={close}
              data-testid="host-key-cancel"
            >
              Cancel
            </Button>
            <Button loading={trust.isPending} onClick={() => trust.mutate(pending)} data-testid="host-key-trust">
              Trust and connect
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
  return { handle, modal };
}
