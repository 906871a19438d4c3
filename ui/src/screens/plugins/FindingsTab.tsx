import { Badge, Card, Code, Drawer, Group, SimpleGrid, Stack, Text, UnstyledButton } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import * as backend from '../../backend';
import type { Finding, FindingKind } from '../../backend';
import { EmptyState, SectionError, SectionSkeleton } from '../../components/Section';
import { formatCount, prettyJson } from '../../format';
import { queryKeys } from '../../queries';
import { RepairPanel } from './RepairPanel';

export const FINDING_TITLES: Record<FindingKind, { title: string; hint: string }> = {
  missing_user_id: { title: 'No user_id', hint: 'Nobody owns these documents: every user-scoped query misses them.' },
  wrong_user_id_type: {
    title: 'user_id of the wrong type',
    hint: 'user_id is not the hex string the platform writes (an ObjectId, a number…).',
  },
  orphan: { title: 'Orphans', hint: 'user_id names a user that does not exist.' },
};

export function FindingsTab({ collection }: { collection: string }) {
  const findings = useQuery({ queryKey: queryKeys.pluginFindings(collection), queryFn: () => backend.pluginFindings(collection) });
  const [open, setOpen] = useState<FindingKind | null>(null);
  if (findings.isPending) return <SectionSkeleton lines={4} testId="findings-loading" />;
  if (findings.isError) return <SectionError error={findings.error} onRetry={() => void findings.refetch()} testId="findings-error" />;
  const report = findings.data;
  return (
    <Stack gap="sm">
      <Group gap="xs">
        {report.user_id_index ? (
          <Badge color="teal" variant="light" tt="none" data-testid="user-id-index">
            {'{user_id: 1}'} index present
          </Badge>
        ) : (
          <Badge color="red" variant="filled" tt="none" data-testid="no-user-id-index">
            no {'{user_id: 1}'} index
          </Badge>
        )}
        {report.orphans_truncated && (
          <Badge color="gray" variant="light" tt="none" data-testid="orphans-truncated">
            orphan check stopped at 100,000 owners: the count is a minimum
          </Badge>
        )}
      </Group>
      {report.findings.length === 0 ? (
        <EmptyState testId="findings-empty">No findings.</EmptyState>
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          {report.findings.map((f) => (
            <FindingCard key={f.kind} finding={f} onOpen={() => setOpen(f.kind)} />
          ))}
        </SimpleGrid>
      )}
      <Drawer
        opened={open !== null}
        onClose={() => setOpen(null)}
        position="right"
        size="lg"
        title={
          open && (
            <Text fw={600}>
              {FINDING_TITLES[open].title} · <Text span ff="monospace">{collection}</Text>
            </Text>
          )
        }
      >
        {open && (
          <Stack gap="md">
            <RepairPanel collection={collection} kind={open} />
            <FindingDocuments collection={collection} kind={open} />
          </Stack>
        )}
      </Drawer>
    </Stack>
  );
}

function FindingCard({ finding, onOpen }: { finding: Finding; onOpen: () => void }) {
  const { title, hint } = FINDING_TITLES[finding.kind] ?? { title: finding.kind, hint: '' };
  const count = finding.count;
  const clickable = count === null || count > 0;
  const bad = count !== 0;
  const body = (
    <Card withBorder radius="md" padding="sm" h="100%" style={{ borderColor: bad && count !== null ? 'var(--mantine-color-orange-5)' : undefined }}>
      <Group gap={6} wrap="nowrap">
        {bad ? <IconAlertTriangle size={16} color="var(--mantine-color-orange-6)" /> : <IconCircleCheck size={16} color="var(--mantine-color-teal-6)" />}
        <Text fw={600} size="sm">
          {title}
        </Text>
      </Group>
      <Text size="xl" fw={700} mt={4} data-testid="finding-count" style={{ fontVariantNumeric: 'tabular-nums' }}>
        {count === null ? '?' : formatCount(count)}
      </Text>
      <Text size="xs" c="dimmed">
        {hint}
      </Text>
      {finding.sample_ids.length > 0 && (
        <Stack gap={0} mt={6}>
          <Text size="xs" c="dimmed">
            e.g.
          </Text>
          {finding.sample_ids.slice(0, 5).map((id) => (
            <Text key={id} size="xs" ff="monospace" truncate="end" data-testid="finding-sample">
              {id}
            </Text>
          ))}
        </Stack>
      )}
    </Card>
  );
  return (
    <UnstyledButton
      onClick={clickable ? onOpen : undefined}
      disabled={!clickable}
      data-testid="finding"
      data-kind={finding.kind}
      data-count={count ?? ''}
      style={{ cursor: clickable ? 'pointer' : 'default', display: 'block', height: '100%' }}
    >
      {body}
    </UnstyledButton>
  );
}

function FindingDocuments({ collection, kind }: { collection: string; kind: FindingKind }) {
  const docs = useQuery({
    queryKey: queryKeys.findingDocuments(collection, kind),
    queryFn: () => backend.findingDocuments(collection, kind),
  });
  if (docs.isPending) return <SectionSkeleton lines={6} testId="finding-documents-loading" />;
  if (docs.isError) return <SectionError error={docs.error} onRetry={() => void docs.refetch()} testId="finding-documents-error" />;
  return (
    <Stack gap="xs" data-testid="finding-documents">
      <Text size="xs" c="dimmed">
        {docs.data.length === 0 ? 'No documents left.' : `The first ${formatCount(docs.data.length)} documents, read-only, sensitive fields redacted.`}
      </Text>
      {docs.data.map((json, i) => (
        <Code key={i} block data-testid="finding-document" style={{ maxHeight: 320, overflow: 'auto' }}>
          {prettyJson(json)}
        </Code>
      ))}
    </Stack>
  );
}
