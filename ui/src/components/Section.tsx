import { Divider, Group, Paper, Skeleton, Stack, Text, ThemeIcon } from '@mantine/core';
import type { ReactNode } from 'react';
import { ErrorAlert } from './ErrorAlert';

/**
 * A titled panel of a screen. Each section owns its data: it shows its own
 * loading skeleton, its own error (with retry) and its own empty state, so
 * one failing section never hides the others.
 */
export function Section({
  title,
  icon,
  meta,
  actions,
  children,
  testId,
  padded = true,
}: {
  title: ReactNode;
  icon?: ReactNode;
  /** Dimmed text next to the title (a count, a state). */
  meta?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  testId?: string;
  /** Pad the body (tables fill the width instead). */
  padded?: boolean;
}) {
  return (
    <Paper withBorder radius="md" data-testid={testId}>
      <Group justify="space-between" px="md" py="sm" wrap="nowrap" mih={52}>
        <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
          {icon && (
            <ThemeIcon variant="light" color="gray" size={26} radius="md">
              {icon}
            </ThemeIcon>
          )}
          <Text fw={600} truncate="end">
            {title}
          </Text>
          {meta && (
            <Text c="dimmed" size="sm" component="div" style={{ whiteSpace: 'nowrap' }}>
              {meta}
            </Text>
          )}
        </Group>
        {actions && (
          <Group gap="xs" wrap="nowrap">
            {actions}
          </Group>
        )}
      </Group>
      <Divider />
      {padded ? <div style={{ padding: 'var(--mantine-spacing-md)' }}>{children}</div> : children}
    </Paper>
  );
}

/** Grey placeholder lines while a section loads. */
export function SectionSkeleton({ lines = 3, testId }: { lines?: number; testId?: string }) {
  return (
    <Stack gap="sm" data-testid={testId} aria-busy="true" aria-label="Loading">
      {Array.from({ length: lines }, (_, i) => (
        <Skeleton key={i} height={14} width={`${90 - ((i * 17) % 40)}%`} radius="sm" />
      ))}
    </Stack>
  );
}

/** A section's error, worded by describeError, with a retry. */
export function SectionError({ error, onRetry, testId }: { error: unknown; onRetry?: () => void; testId?: string }) {
  return <ErrorAlert error={error} onRetry={onRetry} testId={testId} />;
}

/** A quiet line for a section with nothing to show. */
export function EmptyState({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <Text c="dimmed" size="sm" ta="center" py="lg" data-testid={testId}>
      {children}
    </Text>
  );
}
