import { Alert, Button, Group, Paper, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import * as backend from '../../backend';
import type { FindingKind, Repair, RepairPlan } from '../../backend';
import { ErrorAlert } from '../../components/ErrorAlert';
import { WriteButton } from '../../components/WriteButton';
import { formatCount, plural } from '../../format';
import { queryKeys } from '../../queries';
import { UserPicker, type PickedUser } from '../notifications/UserPicker';

type OrphanAction = 'reassign' | 'delete';

/**
 * What can be done about one finding: a dry run that counts exactly what
 * will change, then the repair, which the backend refuses if that count is
 * no longer true. Deleting orphans exports them to a file first and takes
 * the typed-back confirmation the dry run gave.
 */
export function RepairPanel({ collection, kind }: { collection: string; kind: FindingKind }) {
  const queryClient = useQueryClient();
  const [user, setUser] = useState<PickedUser | null>(null);
  const [orphanAction, setOrphanAction] = useState<OrphanAction>('reassign');
  const [plan, setPlan] = useState<RepairPlan | null>(null);
  const [typed, setTyped] = useState('');
  const needsUser = kind === 'missing_user_id' || (kind === 'orphan' && orphanAction === 'reassign');

  const repair = (): Repair | null => {
    if (kind === 'wrong_user_id_type') return { kind: 'convert_user_ids' };
    if (kind === 'orphan' && orphanAction === 'delete') return { kind: 'delete_orphans' };
    if (!user) return null;
    return kind === 'missing_user_id' ? { kind: 'assign_missing', user_id: user.id } : { kind: 'reassign_orphans', user_id: user.id };
  };
  const dryRun = useMutation({
    mutationFn: (r: Repair) => backend.planRepair(collection, r),
    meta: { showsErrors: true },
    onSuccess: (p) => {
      setPlan(p);
      setTyped('');
    },
  });
  const apply = useMutation({
    mutationFn: async ({ r, p }: { r: Repair; p: RepairPlan }) => {
      let exportPath: string | null = null;
      if (r.kind === 'delete_orphans') {
        exportPath = await backend.chooseJsonLinesPath(`${collection}-orphans.jsonl`);
        if (exportPath === null) return null;
      }
      return backend.applyRepair(collection, r, p.fingerprint, r.kind === 'delete_orphans' ? typed : null, exportPath);
    },
    meta: { showsErrors: true },
    onSuccess: (outcome) => {
      if (!outcome) return;
      setPlan(null);
      void queryClient.invalidateQueries({ queryKey: queryKeys.pluginFindings(collection) });
      void queryClient.invalidateQueries({ queryKey: ['db', 'browse'] });
      notifications.show({
        color: 'teal',
        title: 'Repaired',
        message: `${plural(outcome.changed, 'document')} changed${outcome.exported !== null ? `, ${formatCount(outcome.exported)} exported first` : ''}${outcome.remaining !== null ? `; ${formatCount(outcome.remaining)} left in the finding` : ''}.`,
      });
    },
  });
  const current = repair();
  const reset = () => {
    setPlan(null);
    dryRun.reset();
    apply.reset();
  };

  return (
    <Paper withBorder radius="md" p="sm" data-testid="repair-panel">
      <Stack gap="xs">
        <Text fw={600} size="sm">
          Repair
        </Text>
        {kind === 'wrong_user_id_type' && <Text size="xs">Convert ObjectId user_ids to the hex string the platform writes.</Text>}
        {kind === 'orphan' && (
          <SegmentedControl
            size="xs"
            value={orphanAction}
            onChange={(v) => {
              setOrphanAction(v as OrphanAction);
              reset();
            }}
            data={[
              { value: 'reassign', label: 'Reassign to a user' },
              { value: 'delete', label: 'Export, then delete' },
            ]}
            data-testid="repair-orphan-action"
          />
        )}
        {needsUser && (
          <UserPicker
            value={user}
            onChange={(u) => {
              setUser(u);
              reset();
            }}
            label={kind === 'missing_user_id' ? 'Give them to' : 'Reassign them to'}
            testId="repair-user"
          />
        )}
        <Group gap="xs">
          <Button size="xs" variant="default" disabled={!current} loading={dryRun.isPending} onClick={() => current && dryRun.mutate(current)} data-testid="repair-dry-run">
            Dry run
          </Button>
        </Group>
        {dryRun.error ? <ErrorAlert error={dryRun.error} /> : null}
        {plan && current && (
          <Alert color={plan.will_change > 0 ? 'orange' : 'teal'} variant="light" data-testid="repair-plan" data-will-change={plan.will_change}>
            <Stack gap={6}>
              <Text size="sm">
                {plan.will_change === 0 ? 'Nothing to change.' : `${plural(plan.will_change, 'document')} will change.`}
                {plan.left > 0 && ` ${plural(plan.left, 'document')} left as ${plan.left === 1 ? 'it is' : 'they are'}: ${plan.left_reason}.`}
              </Text>
              {plan.sample_ids.length > 0 && (
                <Text size="xs" ff="monospace" c="dimmed">
                  {plan.sample_ids.slice(0, 5).join(' · ')}
                  {plan.will_change > 5 ? ' …' : ''}
                </Text>
              )}
              {plan.confirmation && (
                <TextInput
                  size="xs"
                  label={`Type “${plan.confirmation}” to delete them (they are exported to a file first)`}
                  value={typed}
                  onChange={(e) => setTyped(e.currentTarget.value)}
                  data-testid="repair-confirmation"
                />
              )}
              {plan.will_change > 0 && (
                <Group>
                  <WriteButton
                    size="xs"
                    color={current.kind === 'delete_orphans' ? 'red' : undefined}
                    loading={apply.isPending}
                    blockedBy={plan.confirmation && typed !== plan.confirmation ? 'Type the confirmation first' : null}
                    onClick={() => apply.mutate({ r: current, p: plan })}
                    data-testid="repair-apply"
                  >
                    {current.kind === 'delete_orphans' ? 'Export, then delete' : 'Apply'}
                  </WriteButton>
                </Group>
              )}
            </Stack>
          </Alert>
        )}
        {apply.error ? <ErrorAlert error={apply.error} testId="repair-error" /> : null}
      </Stack>
    </Paper>
  );
}
