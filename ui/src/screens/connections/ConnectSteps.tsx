import { Group, Text } from '@mantine/core';
import { IconCircleCheck, IconCircleX } from '@tabler/icons-react';
import type { ConnectStep } from '../../backend';
import { CONNECT_FAILURE_STEPS } from '../../bindings';
import { BackendError } from '../../errors';

const STEP_LABELS: Record<ConnectStep, string> = {
  ssh: 'SSH tunnel',
  tls: 'TLS',
  authentication: 'Authentication',
  server: 'Server hello',
};

/** The step a failed connect stopped at, as the backend files its error; null for no step's (an invalid field). */
export function failedStep(error: unknown): ConnectStep | null {
  if (!(error instanceof BackendError)) return null;
  return CONNECT_FAILURE_STEPS.find(([code]) => code === error.error.type)?.[1] ?? null;
}

/** Every step passed, in order. */
export function PassedSteps({ steps }: { steps: readonly ConnectStep[] }) {
  return (
    <Group gap="sm" data-testid="connect-steps">
      {steps.map((step) => (
        <Group key={step} gap={4} wrap="nowrap" data-step={step} data-state="passed">
          <IconCircleCheck size={15} color="var(--mantine-color-teal-6)" />
          <Text size="xs">{STEP_LABELS[step]}</Text>
        </Group>
      ))}
    </Group>
  );
}

/** Names the step a failure belongs to. */
export function FailedStep({ error }: { error: unknown }) {
  const step = failedStep(error);
  if (step === null) return null;
  return (
    <Group gap={4} wrap="nowrap" data-testid="connect-failed-step" data-step={step}>
      <IconCircleX size={15} color="var(--mantine-color-red-6)" />
      <Text size="xs" fw={600}>
        Failed at: {STEP_LABELS[step]}
      </Text>
    </Group>
  );
}
