import { Alert, Button, Code, Group, Modal, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { isBackendError } from '../../errors';
import * as backend from '../../backend';
import type { CollectionCount, ErasePlan } from '../../backend';
import { ErrorAlert } from '../../components/ErrorAlert';
import { SectionSkeleton } from '../../components/Section';
import { formatCount } from '../../format';
import { queryKeys } from '../../queries';

/**
 * Erase a user everywhere: the dry run first, then what the backend asks
 * for (`confirm_with`: the email, or the id) typed back exactly; afterwards
 * the exact counts deleted.
 */
export function EraseModal({
  opened,
  userId,
  onClose,
  onErased,
}: {
  opened: boolean;
  userId: string;
  onClose: () => void;
  /** Leave the 360 view of a user that no longer exists. */
  onErased: () => void;
}) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      size="md"
      title={
        <Group gap="xs">
          <IconAlertTriangle size={20} color="var(--mantine-color-red-6)" />
          <Text fw={600} size="lg">
            Erase this user?
          </Text>
        </Group>
      }
    >
      {opened && <EraseBody userId={userId} onClose={onClose} onErased={onErased} />}
    </Modal>
  );
}

function EraseBody({ userId, onClose, onErased }: { userId: string; onClose: () => void; onErased: () => void }) {
  const queryClient = useQueryClient();
  const plan = useQuery({ queryKey: queryKeys.erasePlan(userId), queryFn: () => backend.erasePlan(userId), staleTime: 0 });
  const [typed, setTyped] = useState('');
  /**
   * An erase that stopped part-way (`partly_applied`): its message says what
   * was deleted, and stays up while the admin types again to finish.
   */
  const [stopped, setStopped] = useState<unknown>(null);
  const erase = useMutation({
    mutationFn: (confirm: string) => backend.eraseUser(userId, confirm),
    onMutate: () => setStopped(null),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['db', 'users'] }),
    onError: (error) => {
      if (!isBackendError(error, 'partly_applied')) return;
      // Part of the user is gone: the next plan (resumed) says what is left
      // and what to type back now.
      setStopped(error);
      setTyped('');
      void plan.refetch();
      void queryClient.invalidateQueries({ queryKey: ['db', 'users'] });
      void queryClient.invalidateQueries({ queryKey: queryKeys.auditLog });
    },
    meta: { showsErrors: true }, // in the dialog
  });

  if (erase.isSuccess) {
    return (
      <Stack gap="md" data-testid="erase-done">
        <Alert color="teal" variant="light" icon={<IconCircleCheck size={18} />} title="User erased">
          <Text size="sm">
            {formatCount(totalOf(erase.data.collections))} documents of <b>{erase.data.email || erase.data.user_id}</b> were
            deleted.
          </Text>
        </Alert>
        <Counts collections={erase.data.collections} testId="erase-deleted" />
        <Group justify="flex-end">
          <Button
            onClick={() => {
              queryClient.removeQueries({ queryKey: queryKeys.user(userId) });
              onErased();
            }}
            data-testid="erase-back"
          >
            Back to users
          </Button>
        </Group>
      </Stack>
    );
  }

  if (plan.isPending) return <SectionSkeleton lines={5} testId="erase-plan-loading" />;
  if (plan.isError) return <ErrorAlert error={plan.error} onRetry={() => void plan.refetch()} testId="erase-plan-error" />;

  const p: ErasePlan = plan.data;
  const confirm = typed.trim();
  // The backend decides what confirms; an empty one never does.
  const matches = confirm !== '' && confirm === p.confirm_with;
  const byId = p.confirm_with === p.user_id;
  const instructions = !byId
    ? "Type the user's email"
    : p.resumed
      ? "No user document has this id (an earlier erase may have stopped part-way); its data is still here. Type the user's id to delete what is left"
      : "Type the user's id (this user has no email)";
  return (
    <Stack gap="md" data-testid="erase-modal" data-resumed={p.resumed}>
      {stopped !== null && <ErrorAlert error={stopped} testId="erase-partly" />}
      <Alert color="red" variant="light" p="sm">
        <Text size="sm">
          {p.resumed ? (
            <>
              This permanently deletes every document the database still holds for <b>{p.user_id}</b>.
            </>
          ) : (
            <>
              This permanently deletes <b>{p.email || p.user_id}</b> and every document the database holds for them.
            </>
          )}{' '}
          It cannot be undone: export the data first if it may be needed.
        </Text>
      </Alert>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600} lts={0.4} mb={-8}>
        What will be deleted
      </Text>
      <Counts collections={p.collections} testId="erase-plan" />
      <TextInput
        label={<span data-testid="erase-instructions">{instructions}</span>}
        description={
          <>
            To confirm, type exactly <Code data-testid="erase-confirm-with">{p.confirm_with}</Code>
          </>
        }
        value={typed}
        onChange={(e) => {
          setTyped(e.currentTarget.value);
          erase.reset();
        }}
        autoComplete="off"
        spellCheck={false}
        data-autofocus
        data-testid="erase-confirm-input"
      />
      {erase.isError && !isBackendError(erase.error, 'partly_applied') && <ErrorAlert error={erase.error} testId="erase-error" />}
      <Group justify="flex-end" gap="sm">
        <Button variant="subtle" color="gray" onClick={onClose} disabled={erase.isPending}>
          Cancel
        </Button>
        <Button
          color="red"
          leftSection={<IconTrash size={16} />}
          // A plan being reloaded may ask for something else (a resumed erase asks for the id).
          disabled={!matches || plan.isFetching}
          loading={erase.isPending}
          onClick={() => erase.mutate(confirm)}
          data-testid="erase-confirm"
        >
          Erase {formatCount(totalOf(p.collections))} documents
        </Button>
      </Group>
    </Stack>
  );
}

const totalOf = (c: CollectionCount[]) => c.reduce((s, x) => s + (x.count ?? 0), 0);

function Counts({ collections, testId }: { collections: CollectionCount[]; testId: string }) {
  return (
    <Table verticalSpacing={4} data-testid={testId} withTableBorder>
      <Table.Tbody>
        {collections.map((c) => (
          <Table.Tr key={c.collection} data-testid="erase-count" data-collection={c.collection}>
            <Table.Td>
              <Text size="sm" ff="monospace">
                {c.collection}
              </Text>
            </Table.Td>
            <Table.Td ta="right" style={{ fontVariantNumeric: 'tabular-nums' }}>
              {c.count !== null ? formatCount(c.count) : '—'}
            </Table.Td>
          </Table.Tr>
        ))}
        <Table.Tr>
          <Table.Td>
            <Text size="sm" fw={600}>
              Total
            </Text>
          </Table.Td>
          <Table.Td ta="right" fw={600} style={{ fontVariantNumeric: 'tabular-nums' }} data-testid={`${testId}-total`}>
            {formatCount(totalOf(collections))}
          </Table.Td>
        </Table.Tr>
      </Table.Tbody>
    </Table>
  );
}
