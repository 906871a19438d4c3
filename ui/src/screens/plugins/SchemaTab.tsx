import { Badge, Group, Progress, Table, Text } from '@mantine/core';
import { EmptyState, SectionError, SectionSkeleton } from '../../components/Section';
import { formatCount } from '../../format';
import { usePluginSchema } from './usePluginSchema';

export function SchemaTab({ collection }: { collection: string }) {
  const schema = usePluginSchema(collection);
  if (schema.isPending) return <SectionSkeleton lines={5} testId="schema-loading" />;
  if (schema.isError) return <SectionError error={schema.error} onRetry={() => void schema.refetch()} testId="schema-error" />;
  const { fields, sampled } = schema.data;
  return (
    <>
      <Text size="xs" c="dimmed" mb="xs" data-testid="schema-sampled">
        {sampled !== null ? `From a sample of ${formatCount(sampled)} documents` : 'Sample size unknown'}
      </Text>
      {fields.length === 0 ? (
        <EmptyState testId="schema-empty">No fields: the collection is empty.</EmptyState>
      ) : (
        <Table.ScrollContainer minWidth={480} maxHeight={520} type="native">
          <Table layout="fixed" stickyHeader verticalSpacing={6} data-testid="schema-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Path</Table.Th>
                <Table.Th w={200}>Types</Table.Th>
                <Table.Th w={180}>Presence</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {fields.map((f) => (
                <Table.Tr key={f.path} data-testid="schema-field" data-path={f.path}>
                  <Table.Td>
                    <Text size="sm" ff="monospace" truncate="end" title={f.path}>
                      {f.path}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {f.types.map((t) => (
                        <Badge key={t} size="xs" variant="light" tt="none" color={t === 'null' ? 'gray' : t === 'objectId' ? 'orange' : 'blue'}>
                          {t}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    {f.presence === null ? (
                      <Text size="xs" c="dimmed">
                        unknown
                      </Text>
                    ) : (
                      <Group gap={8} wrap="nowrap">
                        <Progress value={f.presence} size="sm" style={{ flex: 1 }} color={f.presence < 100 ? 'yellow' : 'teal'} />
                        <Text size="xs" w={44} ta="right" style={{ fontVariantNumeric: 'tabular-nums' }} data-testid="schema-presence">
                          {Number.isInteger(f.presence) ? f.presence : f.presence.toFixed(1)}%
                        </Text>
                      </Group>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </>
  );
}
