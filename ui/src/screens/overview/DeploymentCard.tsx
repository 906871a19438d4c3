import { Badge, Group, Table, Text } from '@mantine/core';
import { IconTopologyStar3 } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import * as backend from '../../backend';
import type { Deployment, Member } from '../../backend';
import { Section, SectionError, SectionSkeleton } from '../../components/Section';
import { queryKeys } from '../../queries';

/** A replica set's members or a cluster's routers and shards, as the server reports them. */
export function DeploymentCard() {
  const query = useQuery({ queryKey: queryKeys.deployment, queryFn: () => backend.deployment() });
  const d = query.data;
  return (
    <Section
      title={d?.set_name ? `Replica set ${d.set_name}` : d?.shards.length || d?.routers.length ? 'Sharded cluster' : 'Deployment'}
      icon={<IconTopologyStar3 size={16} />}
      meta={d && `from ${d.source}`}
      padded={!d}
      testId="deployment"
    >
      {query.isPending && <SectionSkeleton lines={3} />}
      {query.isError && <SectionError error={query.error} onRetry={() => void query.refetch()} />}
      {d && <DeploymentBody deployment={d} />}
    </Section>
  );
}

function DeploymentBody({ deployment: d }: { deployment: Deployment }) {
  return (
    <>
      {d.note && (
        <Text size="sm" c="dimmed" px="md" pt="sm" data-testid="deployment-note">
          {d.note}
        </Text>
      )}
      {d.members.length > 0 && (
        <Table verticalSpacing={6} horizontalSpacing="md">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Member</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Lag</Table.Th>
              <Table.Th>Priority</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {d.members.map((m) => (
              <MemberRow key={m.host} member={m} />
            ))}
          </Table.Tbody>
        </Table>
      )}
      {d.routers.length > 0 && (
        <Group gap="xs" px="md" py="sm" data-testid="deployment-routers">
          <Text size="sm" fw={600}>
            Routers
          </Text>
          {d.routers.map((r) => (
            <Text key={r} size="sm" ff="monospace">
              {r}
            </Text>
          ))}
        </Group>
      )}
      {d.shards.length > 0 && (
        <Table verticalSpacing={6} horizontalSpacing="md">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Shard</Table.Th>
              <Table.Th>Replica set</Table.Th>
              <Table.Th>Hosts</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {d.shards.map((s) => (
              <Table.Tr key={s.name} data-testid="deployment-shard" data-name={s.name}>
                <Table.Td ff="monospace">{s.name}</Table.Td>
                <Table.Td ff="monospace">{s.replica_set ?? '—'}</Table.Td>
                <Table.Td ff="monospace">{s.hosts.join(', ')}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </>
  );
}

function MemberRow({ member: m }: { member: Member }) {
  const down = m.healthy === false;
  return (
    <Table.Tr data-testid="deployment-member" data-host={m.host} data-state={m.state}>
      <Table.Td ff="monospace">{m.host}</Table.Td>
      <Table.Td>
        <Badge size="sm" variant="light" color={down ? 'red' : m.state === 'PRIMARY' ? 'teal' : 'gray'}>
          {down ? 'down' : m.state.toLowerCase()}
        </Badge>
      </Table.Td>
      <Table.Td c={m.lag_seconds !== null && m.lag_seconds >= 10 ? 'orange' : undefined} style={{ fontVariantNumeric: 'tabular-nums' }}>
        {m.lag_seconds === null ? '—' : `${m.lag_seconds} s`}
      </Table.Td>
      <Table.Td style={{ fontVariantNumeric: 'tabular-nums' }}>{m.priority ?? '—'}</Table.Td>
      <Table.Td>
        <Group gap={4}>
          {m.arbiter && m.state !== 'ARBITER' && (
            <Badge size="xs" variant="outline" color="gray">
              arbiter
            </Badge>
          )}
          {m.hidden && <Badge size="xs" variant="outline" color="gray">hidden</Badge>}
          {m.delay_seconds !== null && (
            <Badge size="xs" variant="outline" color="gray">
              delayed {m.delay_seconds} s
            </Badge>
          )}
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}
