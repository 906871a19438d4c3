import { Alert, Button, Group, Modal, NumberInput, Progress, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import * as backend from '../../backend';
import type { SeedProgress } from '../../backend';
import { ErrorAlert } from '../../components/ErrorAlert';
import { isBackendError } from '../../errors';
import { formatCount, formatDuration } from '../../format';
import { queryKeys } from '../../queries';

export const DEFAULT_SEED_USERS = 2000;
export const MAX_SEED_USERS = 1_000_000;
/** What the seed replaces (mozaiks_core::seed::SEEDED_COLLECTIONS; not exported over IPC). */
export const SEEDED_COLLECTIONS = ['users', 'settings', 'notifications', 'task_manager_tasks', 'notes_notes', 'crm_contacts'];

interface Props {
  opened: boolean;
  database: string;
  onClose: () => void;
}

/** Replaces the demo collections with generated data, with live progress. */
export function SeedModal({ opened, database, onClose }: Props) {
  return (
    <SeedModalInner key={opened ? 'open' : 'closed'} opened={opened} database={database} onClose={onClose} />
  );
}

function SeedModalInner({ opened, database, onClose }: Props) {
  const queryClient = useQueryClient();
  const [users, setUsers] = useState<number | string>(DEFAULT_SEED_USERS);
  const [progress, setProgress] = useState<Record<string, SeedProgress>>({});

  const [typed, setTyped] = useState('');

  const seed = useMutation({
    mutationFn: ({ n, confirm }: { n: number; confirm: string | null }) =>
      backend.seedDemoData(n, confirm, (p) => setProgress((prev) => ({ ...prev, [p.collection]: p }))),
    onMutate: () => setProgress({}),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.overview }),
    meta: { showsErrors: true },
  });

  const n = typeof users === 'number' ? users : Number(users);
  const valid = Number.isInteger(n) && n >= 1 && n <= MAX_SEED_USERS;
  const running = seed.isPending;
  const rows = Object.values(progress);
  // A database holding documents: the backend asks for its name typed back.
  const expected = isBackendError(seed.error, 'confirmation_required') ? seed.error.error.data.expected : null;

  return (
    <Modal
      opened={opened}
      onClose={running ? () => {} : onClose}
      closeOnClickOutside={!running}
      closeOnEscape={!running}
      withCloseButton={!running}
      size="lg"
      title={
        <Text fw={600} size="lg">
          Seed demo data
        </Text>
      }
    >
      <Stack gap="md" data-testid="seed-modal">
        {seed.isIdle && (
          <>
            <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} title="Replaces the demo collections">
              <Text size="sm">
                The demo collections in{' '}
                <Text span ff="monospace" fw={600}>
                  {database}
                </Text>{' '}
                are emptied and filled with generated data:{' '}
                {SEEDED_COLLECTIONS.map((c, i) => (
                  <span key={c}>
                    {i > 0 && ', '}
                    <Text span ff="monospace" size="sm">
                      {c}
                    </Text>
                  </span>
                ))}
                . Other collections are not touched.
              </Text>
            </Alert>
            <NumberInput
              label="Users"
              description={`Other collections scale with it. 1 to ${formatCount(MAX_SEED_USERS)}.`}
              value={users}
              onChange={setUsers}
              min={1}
              max={MAX_SEED_USERS}
              step={1000}
              thousandSeparator=","
              allowDecimal={false}
              allowNegative={false}
              clampBehavior="strict"
              error={valid ? null : `Enter a whole number from 1 to ${formatCount(MAX_SEED_USERS)}`}
              data-autofocus
              data-testid="seed-users"
            />
          </>
        )}

        {(running || rows.length > 0) && !seed.isSuccess && (
          <Stack gap="sm" data-testid="seed-progress">
            {rows.length === 0 && (
              <Text size="sm" c="dimmed">
                Preparing…
              </Text>
            )}
            {rows.map((p) => {
              const pct = p.expected > 0 ? Math.min(100, (p.written / p.expected) * 100) : 100;
              return (
                <div key={p.collection} data-testid="seed-progress-row" data-name={p.collection}>
                  <Group justify="space-between" mb={4}>
                    <Text size="sm" ff="monospace">
                      {p.collection}
                    </Text>
                    <Text size="xs" c="dimmed" style={{ fontVariantNumeric: 'tabular-nums' }}>
                      {formatCount(p.written)} / {formatCount(p.expected)}
                    </Text>
                  </Group>
                  <Progress value={pct} size="sm" animated={running && pct < 100} color={pct >= 100 ? 'teal' : undefined} />
                </div>
              );
            })}
          </Stack>
        )}

        {seed.isSuccess && (
          <Stack gap="sm" data-testid="seed-report">
            <Alert color="teal" variant="light" icon={<IconCircleCheck size={18} />} title="Demo data written">
              <Text size="sm">
                {formatCount(seed.data.collections.reduce((s, c) => s + c.documents, 0))} documents in{' '}
                {formatDuration(seed.data.elapsed_ms)}.
              </Text>
            </Alert>
            <Table verticalSpacing={4}>
              <Table.Tbody>
                {seed.data.collections.map((c) => (
                  <Table.Tr key={c.name}>
                    <Table.Td>
                      <Text size="sm" ff="monospace">
                        {c.name}
                      </Text>
                    </Table.Td>
                    <Table.Td ta="right" style={{ fontVariantNumeric: 'tabular-nums' }}>
                      {formatCount(c.documents)}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Stack>
        )}

        {expected !== null && (
          <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />} title="This database holds documents" data-testid="seed-confirm">
            <Stack gap="xs">
              <Text size="sm">
                Type the database name{' '}
                <Text span ff="monospace" fw={600}>
                  {expected}
                </Text>{' '}
                to replace its demo collections.
              </Text>
              <TextInput
                value={typed}
                onChange={(e) => setTyped(e.currentTarget.value)}
                placeholder={expected}
                aria-label="Database name"
                data-autofocus
                data-testid="seed-confirm-input"
              />
            </Stack>
          </Alert>
        )}
        {seed.isError && expected === null && <ErrorAlert error={seed.error} testId="seed-error" />}

        <Group justify="flex-end" gap="sm">
          {seed.isSuccess ? (
            <Button onClick={onClose} data-testid="seed-done">
              Done
            </Button>
          ) : (
            <>
              <Button variant="subtle" color="gray" onClick={onClose} disabled={running}>
                {seed.isError && expected === null ? 'Close' : 'Cancel'}
              </Button>
              {expected !== null ? (
                <Button
                  color="orange"
                  disabled={typed.trim() !== expected}
                  onClick={() => seed.mutate({ n, confirm: typed.trim() })}
                  data-testid="seed-confirm-start"
                >
                  Replace the data in {expected}
                </Button>
              ) : (
                !seed.isError && (
                <Button color="orange" loading={running} disabled={!valid} onClick={() => seed.mutate({ n, confirm: null })} data-testid="seed-start">
                  Replace with {valid ? formatCount(n) : '…'} users
                </Button>
                )
              )}
            </>
          )}
        </Group>
      </Stack>
    </Modal>
  );
}
