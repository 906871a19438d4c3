import { Button, Group, Modal, Stack, Switch, Text, TextInput } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import * as backend from '../../backend';
import type { Overview } from '../../backend';
import { ErrorAlert } from '../../components/ErrorAlert';
import { isBackendError } from '../../errors';
import { queryKeys } from '../../queries';

/**
 * The read-only switch. Turning it off on production asks for the database
 * name typed back; the backend checks it again.
 */
export function ReadOnlyControl({ overview }: { overview: Overview }) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const production = overview.environment === 'production';

  const toggle = useMutation({
    mutationFn: ({ readOnly, confirmation }: { readOnly: boolean; confirmation: string | null }) =>
      backend.setReadOnly(readOnly, confirmation),
    onSuccess: (next) => {
      queryClient.setQueryData(queryKeys.overview, next);
      setConfirming(false);
    },
    onError: (e, vars) => {
      if (vars.confirmation === null && isBackendError(e, 'confirmation_required')) setConfirming(true);
    },
    // The dialog shows its own failures; outside it, a refusal that asks for
    // the database name opens the dialog instead of a toast.
    meta: { showsErrors: confirming ? true : ['confirmation_required'] },
  });

  const onChange = (readOnly: boolean) => {
    toggle.reset();
    if (!readOnly && production) setConfirming(true);
    else toggle.mutate({ readOnly, confirmation: null });
  };

  return (
    <>
      <Switch
        size="md"
        color="gray"
        checked={overview.read_only}
        onChange={(e) => onChange(e.currentTarget.checked)}
        disabled={toggle.isPending}
        label="Read-only"
        description={
          overview.read_only
            ? production
              ? 'Writes are refused. Allowing them needs the database name typed back.'
              : 'Writes are refused.'
            : 'Writes are allowed on this connection.'
        }
        data-testid="read-only-switch"
      />
      <Modal
        opened={confirming}
        onClose={() => {
          setConfirming(false);
          toggle.reset();
        }}
        title={
          <Group gap="xs">
            <IconAlertTriangle size={20} color="var(--mantine-color-red-6)" />
            <Text fw={600} size="lg">
              Allow writes to production?
            </Text>
          </Group>
        }
      >
        {confirming && (
          <ConfirmWrites
            database={overview.database}
            pending={toggle.isPending}
            error={toggle.isError && toggle.variables?.confirmation != null ? toggle.error : null}
            onCancel={() => {
              setConfirming(false);
              toggle.reset();
            }}
            onConfirm={(typed) => toggle.mutate({ readOnly: false, confirmation: typed })}
          />
        )}
      </Modal>
    </>
  );
}

function ConfirmWrites({
  database,
  pending,
  error,
  onCancel,
  onConfirm,
}: {
  database: string;
  pending: boolean;
  error: unknown;
  onCancel: () => void;
  onConfirm: (typed: string) => void;
}) {
  const [typed, setTyped] = useState('');
  const matches = typed === database;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (matches) onConfirm(typed);
      }}
    >
      <Stack gap="md">
        <Text size="sm">
          This is the production database. With read-only off, edits, deletes and seeding go straight to live data.
        </Text>
        <TextInput
          label={
            <>
              Type{' '}
              <Text span ff="monospace" fw={700}>
                {database}
              </Text>{' '}
              to confirm
            </>
          }
          value={typed}
          onChange={(e) => setTyped(e.currentTarget.value)}
          ff="monospace"
          autoComplete="off"
          spellCheck={false}
          data-autofocus
          data-testid="confirm-database-input"
        />
        {error !== null && error !== undefined && <ErrorAlert error={error} testId="read-only-error" />}
        <Group justify="flex-end" gap="sm">
          <Button variant="subtle" color="gray" onClick={onCancel}>
            Keep read-only
          </Button>
          <Button type="submit" color="red" disabled={!matches} loading={pending} data-testid="confirm-read-only-off">
            Allow writes
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
