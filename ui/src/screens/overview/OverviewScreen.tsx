import {
  ActionIcon,
  Button,
  Card,
  Center,
  ColorSwatch,
  Divider,
  Group,
  Loader,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { IconDatabaseImport, IconPlugConnectedX, IconRefresh } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import * as backend from '../../backend';
import type { Overview } from '../../backend';
import { EnvironmentBadge, ReadOnlyBadge } from '../../components/badges';
import { ErrorAlert } from '../../components/ErrorAlert';
import { WriteButton } from '../../components/WriteButton';
import { isBackendError } from '../../errors';
import { formatCount, formatTopology } from '../../format';
import { useOverview, useProfiles } from '../../queries';
import { CollectionsTable } from './CollectionsTable';
import { DeploymentCard } from './DeploymentCard';
import { ReadOnlyControl } from './ReadOnlyControl';
import { SeedModal } from './SeedModal';

interface Props {
  /** Called once the backend has dropped the connection (or never had one). */
  onDisconnected: () => void;
}

export function OverviewScreen({ onDisconnected }: Props) {
  const overview = useOverview();

  const disconnect = useMutation({
    mutationFn: () => backend.disconnect(),
    onSuccess: () => onDisconnected(),
    onError: (e) => {
      if (isBackendError(e, 'not_connected')) onDisconnected();
    },
    // Already disconnected is what was asked for, not a failure.
    meta: { showsErrors: ['not_connected'] },
  });

  if (overview.isPending) {
    return (
      <Center py="xl" data-testid="overview-loading">
        <Loader size="sm" />
      </Center>
    );
  }
  if (overview.isError && !overview.data) {
    return (
      <Stack data-testid="overview-error">
        <ErrorAlert error={overview.error} onRetry={() => void overview.refetch()}>
          {isBackendError(overview.error, 'not_connected') && (
            <Button size="xs" onClick={onDisconnected}>
              Back to connections
            </Button>
          )}
        </ErrorAlert>
      </Stack>
    );
  }

  return (
    <OverviewContent
      overview={overview.data}
      refreshing={overview.isFetching}
      refreshError={overview.isError ? overview.error : null}
      onRefresh={() => void overview.refetch()}
      disconnecting={disconnect.isPending}
      onDisconnect={() => disconnect.mutate()}
    />
  );
}

function OverviewContent({
  overview,
  refreshing,
  refreshError,
  onRefresh,
  disconnecting,
  onDisconnect,
}: {
  overview: Overview;
  refreshing: boolean;
  refreshError: unknown;
  onRefresh: () => void;
  disconnecting: boolean;
  onDisconnect: () => void;
}) {
  const [seeding, setSeeding] = useState(false);
  const color = useProfiles().data?.find((p) => p.id === overview.profile_id)?.color;
  const totalDocuments = overview.collections.reduce((sum, c) => sum + (c.estimated_count ?? 0), 0);
  const uncounted = overview.collections.filter((c) => c.estimated_count === null).length;

  return (
    <Stack gap="lg" data-testid="overview">
      <Card withBorder padding="lg">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Stack gap={6} style={{ minWidth: 0 }}>
            <Group gap="sm" wrap="nowrap">
              {color && <ColorSwatch color={color} size={14} withShadow={false} />}
              <Title order={2} lh={1.2} data-testid="overview-profile-name">
                {overview.profile_name}
              </Title>
            </Group>
            <Group gap="xs">
              <EnvironmentBadge environment={overview.environment} testId="env-badge" size="md" />
              <ReadOnlyBadge readOnly={overview.read_only} showWritable testId="read-only-badge" />
            </Group>
          </Stack>
          <Group gap="sm" wrap="nowrap">
            <WriteButton
              variant="default"
              leftSection={<IconDatabaseImport size={16} />}
              hint="Replace the demo collections with generated data"
              onClick={() => setSeeding(true)}
              data-testid="seed-open"
            >
              Seed demo data
            </WriteButton>
            <Button
              variant="default"
              leftSection={<IconPlugConnectedX size={16} />}
              loading={disconnecting}
              onClick={onDisconnect}
              data-testid="disconnect"
            >
              Disconnect
            </Button>
          </Group>
        </Group>

        <Divider my="md" />

        <SimpleGrid cols={{ base: 2, md: 4 }} spacing="xl" verticalSpacing="md">
          <Fact label="Database">
            <Text ff="monospace" fw={600} truncate="end" data-testid="overview-database">
              {overview.database}
            </Text>
          </Fact>
          <Fact label="Server">
            <Text fw={600} data-testid="overview-server">
              MongoDB {overview.server.version}
            </Text>
          </Fact>
          <Fact label="Topology">
            <Text fw={600}>{formatTopology(overview.server.topology)}</Text>
          </Fact>
          <Fact label="Documents (est.)">
            <Group gap={6} wrap="nowrap">
              <Text fw={600} style={{ fontVariantNumeric: 'tabular-nums' }}>
                {formatCount(totalDocuments)}
              </Text>
              {uncounted > 0 && (
                <Tooltip label={`${uncounted} ${uncounted === 1 ? 'collection has' : 'collections have'} no count`}>
                  <Text span c="dimmed" size="sm">
                    + {uncounted} uncounted
                  </Text>
                </Tooltip>
              )}
            </Group>
          </Fact>
        </SimpleGrid>

        <Divider my="md" />

        <ReadOnlyControl overview={overview} />
      </Card>

      {overview.server.topology !== 'standalone' && <DeploymentCard />}

      {refreshError !== null && <ErrorAlert error={refreshError} onRetry={onRefresh} />}

      <Paper withBorder radius="md">
        <Group justify="space-between" px="md" py="sm">
          <Group gap="xs">
            <Text fw={600}>Collections</Text>
            <Text c="dimmed" size="sm">
              {overview.collections.length}
            </Text>
          </Group>
          <Tooltip label="Refresh">
            <ActionIcon variant="subtle" color="gray" onClick={onRefresh} loading={refreshing} aria-label="Refresh" data-testid="refresh-overview">
              <IconRefresh size={18} />
            </ActionIcon>
          </Tooltip>
        </Group>
        <Divider />
        {overview.collections.length === 0 ? (
          <Text c="dimmed" size="sm" ta="center" py="xl">
            This database has no collections yet.
          </Text>
        ) : (
          <CollectionsTable collections={overview.collections} />
        )}
      </Paper>

      <SeedModal opened={seeding} database={overview.database} onClose={() => setSeeding(false)} />
    </Stack>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600} lts={0.4} mb={2}>
        {label}
      </Text>
      {children}
    </div>
  );
}
