import { Badge, Group, Menu, Text, UnstyledButton } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import * as backend from '../../backend';
import type { PlatformDatabase } from '../../backend';

/** Field paths shown at most; the rest are a sample's rarities. */
const MAX_FIELDS = 40;
const OPERATORS = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists', '$regex', '$and', '$or', '$expr', '$elemMatch', '$size', '$type'];
const CONSTRUCTORS = ['ObjectId("")', 'ISODate("")', 'NumberLong("")', 'NumberInt("")', 'NumberDecimal("")', 'Double()', 'Timestamp(0, 0)', 'UUID("")', 'MinKey()', 'MaxKey()'];

/** A path as a key the shell parser reads: quoted unless it is a plain identifier. */
function fieldKey(path: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(path) ? path : JSON.stringify(path);
}

/**
 * The fields a sample of the collection holds (most common first), the
 * query operators and the BSON constructors, each one click from the part
 * of the query bar being typed in.
 */
export function QueryHints({
  database,
  collection,
  onInsert,
}: {
  database: PlatformDatabase;
  collection: string;
  onInsert: (text: string) => void;
}) {
  const fields = useQuery({
    queryKey: ['db', 'browse', database, collection, 'fields'],
    queryFn: () => backend.sampleFields(database, collection),
    staleTime: 5 * 60_000,
  });
  const shown = (fields.data ?? [])
    .filter((f) => !f.path.includes('[]'))
    .sort((a, b) => (b.presence ?? 0) - (a.presence ?? 0))
    .slice(0, MAX_FIELDS);
  return (
    <Group gap={4} data-testid="query-hints">
      <Text size="xs" c="dimmed" mr={4}>
        Fields
      </Text>
      {shown.map((f) => (
        <UnstyledButton key={f.path} onClick={() => onInsert(`${fieldKey(f.path)}: `)} data-testid="query-hint-field" data-path={f.path}>
          <Badge size="sm" variant="light" color="gray" tt="none" ff="monospace" title={`${f.types.join(', ')} · in ${f.presence}% of a sample`}>
            {f.path}
          </Badge>
        </UnstyledButton>
      ))}
      <HintMenu label="Operators" items={OPERATORS} onInsert={(op) => onInsert(`${op}: `)} />
      <HintMenu label="Types" items={CONSTRUCTORS} onInsert={onInsert} />
    </Group>
  );
}

function HintMenu({ label, items, onInsert }: { label: string; items: string[]; onInsert: (text: string) => void }) {
  return (
    <Menu position="bottom-start" withinPortal>
      <Menu.Target>
        <UnstyledButton data-testid={`query-hint-${label.toLowerCase()}`}>
          <Badge size="sm" variant="outline" tt="none">
            {label}
          </Badge>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        {items.map((item) => (
          <Menu.Item key={item} ff="monospace" fz="xs" onClick={() => onInsert(item)}>
            {item}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
