import { Badge, Group, Table, Text, Tooltip } from '@mantine/core';
import type { CollectionKind, CollectionSummary } from '../../backend';
import { formatCount } from '../../format';

const KINDS: Record<CollectionKind, { label: string; color: string; hint: string }> = {
  core: { label: 'core', color: 'steel', hint: 'MozaiksCore platform collection' },
  plugin: { label: 'plugin', color: 'grape', hint: 'Owned by a plugin ({plugin}_*)' },
  audit: { label: 'audit', color: 'orange', hint: 'This app’s audit log' },
  other: { label: 'other', color: 'gray', hint: 'Not part of the MozaiksCore schema' },
};

export function KindBadge({ kind }: { kind: CollectionKind }) {
  const k = KINDS[kind] ?? KINDS.other;
  return (
    <Tooltip label={k.hint}>
      <Badge size="sm" variant="light" color={k.color} data-testid="collection-kind">
        {k.label}
      </Badge>
    </Tooltip>
  );
}

export function sortByName(collections: CollectionSummary[]): CollectionSummary[] {
  return [...collections].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function CollectionsTable({ collections }: { collections: CollectionSummary[] }) {
  return (
    <Table highlightOnHover verticalSpacing="xs" horizontalSpacing="md" data-testid="collections-table">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Name</Table.Th>
          <Table.Th w={120}>Kind</Table.Th>
          <Table.Th w={180} ta="right">
            Documents (est.)
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {sortByName(collections).map((c) => (
          <Table.Tr key={c.name} data-testid="collection-row" data-name={c.name}>
            <Table.Td>
              <Group gap={6} wrap="nowrap">
                <Text ff="monospace" size="sm">
                  {c.name}
                </Text>
                {c.is_view && (
                  <Tooltip label="A view: listed, but it holds no documents of its own">
                    <Badge size="xs" variant="outline" color="gray" tt="none" data-testid="collection-view">
                      view
                    </Badge>
                  </Tooltip>
                )}
              </Group>
            </Table.Td>
            <Table.Td>
              <KindBadge kind={c.kind} />
            </Table.Td>
            <Table.Td ta="right">
              {c.estimated_count !== null ? (
                <Text size="sm" data-testid="collection-count" style={{ fontVariantNumeric: 'tabular-nums' }}>
                  {formatCount(c.estimated_count)}
                </Text>
              ) : (
                <Tooltip label={c.count_error ?? 'The server did not report a count'} multiline maw={360}>
                  <Text size="sm" c="dimmed" data-testid="collection-count" data-error={c.count_error ?? ''} span>
                    —
                  </Text>
                </Tooltip>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
