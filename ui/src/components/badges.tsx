import { Badge, Group, Text, Tooltip } from '@mantine/core';
import { IconKey, IconLock, IconLockOpen, IconQuestionMark, IconUserOff } from '@tabler/icons-react';
import type { Environment, PasswordMode } from '../backend';

export function EnvironmentBadge({
  environment,
  testId,
  size = 'sm',
}: {
  environment: Environment;
  testId?: string;
  size?: 'xs' | 'sm' | 'md' | 'lg';
}) {
  const production = environment === 'production';
  return (
    <Badge
      data-testid={testId}
      data-environment={environment}
      size={size}
      color={production ? 'red' : 'teal'}
      variant={production ? 'filled' : 'light'}
    >
      {production ? 'Production' : 'Development'}
    </Badge>
  );
}

export function ReadOnlyBadge({ readOnly, testId, showWritable = false }: { readOnly: boolean; testId?: string; showWritable?: boolean }) {
  if (!readOnly && !showWritable) return null;
  return readOnly ? (
    <Badge data-testid={testId} size="sm" color="gray" variant="light" leftSection={<IconLock size={12} />}>
      Read-only
    </Badge>
  ) : (
    <Badge data-testid={testId} size="sm" color="orange" variant="light" leftSection={<IconLockOpen size={12} />}>
      Writable
    </Badge>
  );
}

const PASSWORD_MODES: Record<PasswordMode, { label: string; hint: string; icon: typeof IconKey }> = {
  none: { label: 'No password', hint: 'The connection string needs no credentials', icon: IconUserOff },
  keychain: { label: 'Password in keychain', hint: 'Stored in the OS keychain under this profile', icon: IconKey },
  ask: { label: 'Asks for password', hint: 'Never stored: typed at each connect', icon: IconQuestionMark },
};

export function PasswordModeLabel({ mode }: { mode: PasswordMode }) {
  const { label, hint, icon: Icon } = PASSWORD_MODES[mode];
  return (
    <Tooltip label={hint}>
      <Group gap={4} wrap="nowrap" data-testid="password-mode" data-mode={mode}>
        <Icon size={14} stroke={1.6} color="var(--mantine-color-dimmed)" />
        <Text size="sm" c="dimmed">
          {label}
        </Text>
      </Group>
    </Tooltip>
  );
}
