import { Alert, Button, Code, Collapse, Group, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { describeFailure, errorDetails } from '../errors';

/**
 * Shows any backend failure the way `describeError` words it. The driver's
 * own text (`details`), when there is one, stays behind a "Details" toggle.
 */
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
  const details = errorDetails(error);
  const [showDetails, { toggle }] = useDisclosure(false);
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
      {details && showDetails && (
        <Collapse in>
          <Code block mt="xs" data-testid={`${testId}-details`} style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
            {details}
          </Code>
        </Collapse>
      )}
      {(onRetry || children || details) && (
        <Group gap="xs" mt="sm">
          {children}
          {onRetry && (
            <Button size="xs" variant="default" onClick={onRetry}>
              Try again
            </Button>
          )}
          {details && (
            <Button size="xs" variant="subtle" color="gray" onClick={toggle} aria-expanded={showDetails} data-testid={`${testId}-details-toggle`}>
              {showDetails ? 'Hide details' : 'Details'}
            </Button>
          )}
        </Group>
      )}
    </Alert>
  );
}
