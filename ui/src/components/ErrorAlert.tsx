import { Alert, Button, Group, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { describeFailure } from '../errors';

/** Shows any backend failure the way `describeError` words it. */
export function ErrorAlert({
  error,
  onRetry,
  children,
  testId = 'error-alert',
}: {
  error: unknown;
  onRetry?: () => void;
  children?: ReactNode;
  testId?: string;
}) {
  const { title, message } = describeFailure(error);
  return (
    <Alert
      data-testid={testId}
      color="red"
      variant="light"
      title={title}
      icon={<IconAlertTriangle size={18} />}
    >
      {message && (
        <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
          {message}
        </Text>
      )}
      {(onRetry || children) && (
        <Group gap="xs" mt="sm">
          {children}
          {onRetry && (
            <Button size="xs" variant="default" onClick={onRetry}>
              Try again
            </Button>
          )}
        </Group>
      )}
    </Alert>
  );
}
