import { Badge, Grid, Group, Paper, ScrollArea, Stack, Tabs, Text, Title, UnstyledButton } from '@mantine/core';
import { IconDatabase, IconFilter, IconListSearch, IconPuzzle, IconReportSearch, IconSchema } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import * as backend from '../../backend';
import type { PluginCollection } from '../../backend';
import { Section, SectionError, SectionSkeleton, EmptyState } from '../../components/Section';
import { formatBytes, formatCount } from '../../format';
import { queryKeys } from '../../queries';
import { BrowseTab } from './BrowseTab';
import { FindingsTab } from './FindingsTab';
import { SchemaTab } from './SchemaTab';
import { StatusTab } from './StatusTab';

/** Where a dashboard bar leads: a collection, one status of it, and one user's documents (from a 360 view). */
export interface PluginsFocus {
  collection: string;
  status: string | null;
  userId: string | null;
}

/**
 * The plugins' collections: what they hold, their shape, their data problems.
 * `focus` opens a collection on its status view (or one user's documents).
 */
export function PluginsScreen({ focus = null }: { focus?: PluginsFocus | null }) {
  const overview = useQuery({ queryKey: queryKeys.pluginOverview, queryFn: () => backend.pluginOverview() });
  const [selected, setSelected] = useState<string | null>(focus?.collection ?? null);
  const data = overview.data;

  return (
    <Stack gap="md" data-testid="plugins">
      <div>
        <Title order={2}>Plugins</Title>
        <Text c="dimmed" size="sm" mt={4}>
          Plugin collections, their schema as sampled, and documents no user query can reach.
        </Text>
      </div>
      <Grid gutter="md" align="flex-start">
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Section title="Collections" icon={<IconPuzzle size={16} />} testId="plugin-list" padded={false}>
            {overview.isPending ? (
              <div style={{ padding: 'var(--mantine-spacing-md)' }}>
                <SectionSkeleton lines={6} testId="plugins-loading" />
              </div>
            ) : overview.isError ? (
              <div style={{ padding: 'var(--mantine-spacing-md)' }}>
                <SectionError error={overview.error} onRetry={() => void overview.refetch()} testId="plugins-error" />
              </div>
            ) : (
              <ScrollArea.Autosize mah="70dvh">
                <Stack gap={0} py={4}>
                  {data!.plugins.length === 0 && data!.unassigned.length === 0 && (
                    <EmptyState testId="plugins-empty">This database has no plugin collections.</EmptyState>
                  )}
                  {data!.plugins.map((p) => (
                    <div key={p.name} data-testid="plugin" data-name={p.name}>
                      <Group gap={6} px="md" pt="sm" pb={4} wrap="nowrap">
                        <Text fw={600} size="sm" truncate="end">
                          {p.name}
                        </Text>
                        {p.has_settings && (
                          <Badge size="xs" variant="light" color="violet" data-testid="plugin-settings-badge">
                            settings
                          </Badge>
                        )}
                      </Group>
                      {p.collections.map((c) => (
                        <CollectionItem key={c.name} collection={c} active={selected === c.name} onSelect={() => setSelected(c.name)} />
                      ))}
                    </div>
                  ))}
                  {data!.unassigned.length > 0 && (
                    <div data-testid="plugin-unassigned">
                      <Text fw={600} size="sm" c="dimmed" px="md" pt="sm" pb={4}>
                        Unassigned collections
                      </Text>
                      {data!.unassigned.map((name) => (
                        <CollectionItem key={name} collection={{ name }} active={selected === name} onSelect={() => setSelected(name)} />
                      ))}
                    </div>
                  )}
                </Stack>
              </ScrollArea.Autosize>
            )}
          </Section>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          {selected ? (
            <CollectionPanel key={selected} collection={selected} focus={focus?.collection === selected ? focus : null} />
          ) : (
            <Paper withBorder radius="md" p="xl">
              <EmptyState testId="plugin-none-selected">Pick a collection on the left.</EmptyState>
            </Paper>
          )}
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function CollectionItem({
  collection,
  active,
  onSelect,
}: {
  collection: Partial<PluginCollection> & { name: string };
  active: boolean;
  onSelect: () => void;
}) {
  const { name, estimated_count, size_bytes, stats_note } = collection;
  const stats = 'estimated_count' in collection;
  return (
    <UnstyledButton
      onClick={onSelect}
      data-testid="plugin-collection"
      data-name={name}
      data-active={active || undefined}
      aria-pressed={active}
      w="100%"
      px="md"
      py={6}
      style={{ background: active ? 'var(--mantine-primary-color-light)' : undefined }}
    >
      <Group gap="xs" wrap="nowrap" justify="space-between">
        <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
          <IconDatabase size={14} style={{ flexShrink: 0 }} />
          <Text size="sm" ff="monospace" truncate="end">
            {name}
          </Text>
        </Group>
        {stats && (
          <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' }}>
            {estimated_count != null ? `${formatCount(estimated_count)} docs` : '? docs'}
            {size_bytes != null && ` · ${formatBytes(size_bytes)}`}
          </Text>
        )}
      </Group>
      {stats && size_bytes == null && stats_note && (
        <Text size="xs" c="dimmed" pl={20} truncate="end" data-testid="plugin-stats-note">
          {stats_note}
        </Text>
      )}
    </UnstyledButton>
  );
}

function CollectionPanel({ collection, focus }: { collection: string; focus: PluginsFocus | null }) {
  const firstTab = focus?.status ? 'status' : 'schema';
  return (
    <Paper withBorder radius="md" data-testid="plugin-panel" data-collection={collection}>
      <Group px="md" py="sm" gap="xs">
        <IconDatabase size={16} />
        <Text fw={600} ff="monospace">
          {collection}
        </Text>
      </Group>
      <Tabs defaultValue={firstTab} keepMounted={false}>
        <Tabs.List px="sm">
          <Tabs.Tab value="schema" leftSection={<IconSchema size={14} />} data-testid="tab-schema">
            Schema
          </Tabs.Tab>
          <Tabs.Tab value="findings" leftSection={<IconReportSearch size={14} />} data-testid="tab-findings">
            Findings
          </Tabs.Tab>
          <Tabs.Tab value="browse" leftSection={<IconListSearch size={14} />} data-testid="tab-browse">
            Browse
          </Tabs.Tab>
          <Tabs.Tab value="status" leftSection={<IconFilter size={14} />} data-testid="tab-status">
            By status
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="schema" p="md">
          <SchemaTab collection={collection} />
        </Tabs.Panel>
        <Tabs.Panel value="findings" p="md">
          <FindingsTab collection={collection} />
        </Tabs.Panel>
        <Tabs.Panel value="browse" p="md">
          <BrowseTab collection={collection} />
        </Tabs.Panel>
        <Tabs.Panel value="status" p="md">
          <StatusTab collection={collection} initialStatus={focus?.status ?? null} userId={focus?.userId ?? null} />
        </Tabs.Panel>
      </Tabs>
    </Paper>
  );
}
