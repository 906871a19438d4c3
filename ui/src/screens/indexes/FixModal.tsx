import { Alert, Badge, Button, Code, Group, List, Modal, Progress, Stack, Table, Text } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck, IconRefreshAlert } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import * as backend from '../../backend';
import type { FixOutcome, FixProgress, FixScope, HealthReport, PlannedIndex } from '../../backend';
import { ErrorAlert } from '../../components/ErrorAlert';
import { EmptyState, SectionSkeleton } from '../../components/Section';
import { WriteButton } from '../../components/WriteButton';
import { BackendError, isBackendError } from '../../errors';
import { formatCount, plural } from '../../format';
import { queryKeys } from '../../queries';
import { formatTtl, methodText, scopeTitle } from './indexFormat';

/**
 * The fix of one index, one collection or all: the backend's plan first
 * (exactly what will be done, and the duplicates that stop a unique index),
 * then that very plan is carried out on confirmation. The modal can be
 * closed while the server builds: the build goes on, and the report, asked
 * again at once, shows the index as building until it is done.
 */
export function FixModal({ scope, onClose }: { scope: FixScope | null; onClose: () => void }) {
  const client = useQueryClient();
  const [running, setRunning] = useState(false);
  const close = () => {
    // A build left running shows on the report as it stands on the server.
    if (running) void client.invalidateQueries({ queryKey: queryKeys.indexHealth });
    onClose();
  };
  return (
    <Modal
      opened={scope !== null}
      onClose={close}
      closeOnClickOutside={!running}
      size="xl"
      title={<Text fw={600}>{scope ? scopeTitle(scope) : 'Fix indexes'}</Text>}
    >
      <div data-testid="fix-modal">
        {scope && <FixBody key={JSON.stringify(scope)} scope={scope} onClose={close} onRunning={setRunning} />}
      </div>
    </Modal>
  );
}

function FixBody({ scope, onClose, onRunning }: { scope: FixScope; onClose: () => void; onRunning: (running: boolean) => void }) {
  const client = useQueryClient();
  const plan = useQuery({
    queryKey: queryKeys.indexFixPlan(scope),
    queryFn: () => backend.indexFixPlan(scope),
    // The plan is what the user confirms: always the server's current one.
    staleTime: 0,
    gcTime: 0,
  });
  const [progress, setProgress] = useState<FixProgress | null>(null);
  const build = useMutation({
    mutationFn: (confirmed: PlannedIndex[]) => backend.createIndexes(scope, confirmed, setProgress),
    onMutate: () => {
      setProgress(null);
      onRunning(true);
    },
    onSettled: () => onRunning(false),
    // Built, or partly built: the report is out of date either way.
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.indexHealth }),
    onError: (e) => {
      // The plan changed since it was listed: list the new one to confirm.
      if (isBackendError(e, 'conflict')) void plan.refetch();
    },
    meta: { showsErrors: true }, // in the modal
  });

  if (build.isSuccess) return <FixOutcomeView outcome={build.data} onClose={onClose} />;
  if (plan.isPending) return <SectionSkeleton lines={4} testId="fix-plan-loading" />;
  if (plan.isError) return <ErrorAlert error={plan.error} onRetry={() => void plan.refetch()} testId="fix-plan-error" />;

  const planned = plan.data;
  const blocked = planned.filter((p) => p.duplicates.length > 0);
  // A fix of every collection leaves out those the report could not check.
  const unchecked =
    scope.scope === 'all'
      ? (client.getQueryData<HealthReport>(queryKeys.indexHealth)?.collections ?? []).filter((c) => c.unchecked != null).map((c) => c.collection)
      : [];
  return (
    <Stack gap="md">
      {planned.length === 0 ? (
        <EmptyState testId="fix-plan-empty">Nothing to build: these indexes are as the platform requires.</EmptyState>
      ) : (
        <>
          <Text size="sm">
            {planned.length === 1 ? 'This index will be built or changed' : `These ${formatCount(planned.length)} indexes will be built or changed`}, in
            this order, each as its row says: changed in place where the server can, else built before the index it replaces is dropped;
            only where the server cannot hold both is the old one dropped first, and put back if the build fails.
          </Text>
          <PlanTable planned={planned} />
        </>
      )}
      {unchecked.length > 0 && (
        <Text size="sm" c="orange" data-testid="fix-unchecked">
          Not in this plan: {unchecked.join(', ')} (could not be checked). Refresh the report to try them again.
        </Text>
      )}
      {blocked.map((p) => (
        <DuplicatesAlert key={`${p.collection} ${p.keys}`} planned={p} />
      ))}
      {isBackendError(build.error, 'conflict') ? (
        <Alert color="orange" variant="light" icon={<IconRefreshAlert size={18} />} title="The plan changed" data-testid="fix-conflict">
          <Text size="sm">
            The indexes changed since this list was made, so nothing was built. The list above is the new plan
            {build.error.error.data.current ? ` (${build.error.error.data.current})` : ''}: check it and confirm again.
          </Text>
        </Alert>
      ) : (
        build.isError && <ErrorAlert error={build.error} testId="fix-error" />
      )}
      {build.isPending && (
        <Stack gap={4} data-testid="fix-progress">
          <Progress
            value={progress ? (progress.done / Math.max(progress.total, 1)) * 100 : 100}
            animated
            striped={progress === null}
            size="sm"
          />
          <Text size="xs" c="dimmed">
            {progress ? `Built ${progress.index} (${progress.done} of ${progress.total})` : 'Building…'} You can close this: the server keeps
            building, and the report shows each index as building until it is done.
          </Text>
        </Stack>
      )}
      <Group justify="flex-end" gap="sm">
        {build.isPending ? (
          <Button variant="default" onClick={onClose} data-testid="fix-close-running">
            Close, keep building
          </Button>
        ) : (
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
        )}
        <WriteButton
          blockedBy={
            planned.length === 0 ? 'Nothing to build' : blocked.length > 0 ? 'Resolve the duplicate values first' : plan.isFetching ? 'Loading the plan…' : null
          }
          loading={build.isPending}
          onClick={() => build.mutate(planned)}
          data-testid="fix-confirm"
        >
          Build {plural(planned.length, 'index', 'indexes')}
        </WriteButton>
      </Group>
    </Stack>
  );
}

function PlanTable({ planned }: { planned: PlannedIndex[] }) {
  return (
    <Table withTableBorder verticalSpacing={6} data-testid="fix-plan">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Collection</Table.Th>
          <Table.Th>Keys</Table.Th>
          <Table.Th>Name</Table.Th>
          <Table.Th>Options</Table.Th>
          <Table.Th>How</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {planned.map((p) => (
          <Table.Tr key={`${p.collection} ${p.name}`} data-testid="fix-plan-row" data-collection={p.collection} data-name={p.name}>
            <Table.Td>
              <Text size="sm" ff="monospace">
                {p.collection}
              </Text>
            </Table.Td>
            <Table.Td>
              <Code>{p.keys}</Code>
            </Table.Td>
            <Table.Td>
              <Text size="sm" ff="monospace">
                {p.name}
              </Text>
            </Table.Td>
            <Table.Td>
              <Group gap={4}>
                {p.unique && (
                  <Badge size="sm" variant="light" tt="none">
                    unique
                  </Badge>
                )}
                {p.expire_after_seconds !== null && (
                  <Badge size="sm" variant="light" color="grape" tt="none">
                    TTL {formatTtl(p.expire_after_seconds)}
                  </Badge>
                )}
                {p.replaces && (
                  <Badge size="sm" variant="light" color="orange" tt="none" data-testid="fix-replaces">
                    replaces {p.replaces}
                  </Badge>
                )}
                {!p.required && (
                  <Badge size="sm" variant="light" color="blue" tt="none" data-testid="fix-suggested">
                    suggested, not required
                  </Badge>
                )}
              </Group>
            </Table.Td>
            <Table.Td>
              <Text size="sm" c={p.method === 'drop_then_build' ? 'orange' : undefined} data-testid="fix-method" data-method={p.method ?? 'build'}>
                {methodText(p)}
              </Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function DuplicatesAlert({ planned }: { planned: PlannedIndex }) {
  return (
    <Alert
      color="red"
      variant="light"
      icon={<IconAlertTriangle size={18} />}
      title={`Duplicate values in ${planned.collection}`}
      data-testid="fix-duplicates"
      data-collection={planned.collection}
      data-keys={planned.keys}
    >
      <Text size="sm">
        The unique index <Code>{planned.keys}</Code> cannot be built while several documents hold the same value. Resolve these
        first; nothing will be built until then.
      </Text>
      <List size="sm" mt="xs" spacing={2}>
        {planned.duplicates.map((d) => (
          <List.Item key={d.value} data-testid="fix-duplicate">
            <Code>{d.value}</Code> × {d.count !== null ? formatCount(d.count) : '?'}
          </List.Item>
        ))}
      </List>
    </Alert>
  );
}

function FixOutcomeView({ outcome, onClose }: { outcome: FixOutcome; onClose: () => void }) {
  const { created, failed } = outcome;
  return (
    <Stack gap="md" data-testid="fix-outcome">
      {created.length > 0 && (
        <Alert color="teal" variant="light" icon={<IconCircleCheck size={18} />} title={`Done: ${plural(created.length, 'index', 'indexes')} built or changed`}>
          <List size="sm" spacing={2}>
            {created.map((c) => (
              <List.Item key={c} data-testid="fix-created">
                <Code>{c}</Code>
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
      {failed && (
        <Stack gap={4} data-testid="fix-failure">
          <Text size="sm" fw={600}>
            {/* Not "nothing was built": a build cut off without an answer may still be running on the server; the error below says which. */}
            Stopped at <Code>{failed.index}</Code>. Nothing after it was tried.
          </Text>
          <ErrorAlert error={new BackendError(failed.error)} testId="fix-failure-error" />
          {failed.restored !== null && (
            <Text size="sm" c={failed.restored ? 'dimmed' : 'red'} data-testid="fix-restored">
              {failed.restored ? 'The index it replaces was put back.' : 'The index it replaces could not be put back: rebuild it by hand.'}
            </Text>
          )}
        </Stack>
      )}
      <Group justify="flex-end">
        <Button onClick={onClose} data-testid="fix-close">
          Close
        </Button>
      </Group>
    </Stack>
  );
}
