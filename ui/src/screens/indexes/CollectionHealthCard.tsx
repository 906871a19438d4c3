import { Alert, Badge, Button, Code, Group, Paper, Stack, Table, Text } from '@mantine/core';
import { IconAlertTriangle, IconDatabase, IconTool, IconTrash } from '@tabler/icons-react';
import type { CollectionHealth, FixScope, IndexCheck, IndexState } from '../../backend';
import { AbsoluteDate } from '../../components/DateText';
import { WriteButton } from '../../components/WriteButton';
import { formatBytes, formatCount } from '../../format';
import type { DropTarget } from './DropIndexModal';
import { droppableName, NO_VERDICT, scoreColor, STATE_LABELS } from './indexFormat';

interface Actions {
  onFix: (scope: FixScope) => void;
  onDrop: (target: DropTarget) => void;
}

/** One collection's checks, with its score and the fixes it offers. */
export function CollectionHealthCard({ health, onFix, onDrop }: { health: CollectionHealth } & Actions) {
  const { collection, kind, score, checks } = health;
  const unchecked = health.unchecked ?? null;
  const fixable = checks.some((c) => c.fix !== null);
  const attention = (score !== null && score < 100) || unchecked !== null;
  return (
    <Paper
      withBorder
      radius="md"
      data-testid="index-collection"
      data-collection={collection}
      data-score={score ?? undefined}
      data-unchecked={unchecked !== null || undefined}
      style={attention ? { borderLeft: `4px solid var(--mantine-color-${unchecked !== null ? 'orange' : scoreColor(score)}-6)` } : undefined}
    >
      <Group justify="space-between" px="md" py="sm" wrap="nowrap">
        <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
          <IconDatabase size={16} style={{ flexShrink: 0 }} />
          <Text fw={600} ff="monospace" truncate="end">
            {collection}
          </Text>
          <Badge size="sm" variant="light" color="gray" tt="none">
            {kind}
          </Badge>
          <Badge size="sm" variant={attention ? 'filled' : 'light'} color={scoreColor(score)} data-testid="index-collection-score">
            {score === null ? 'score unknown' : `score ${score}`}
          </Badge>
        </Group>
        {fixable && (
          <Button
            size="xs"
            variant="light"
            leftSection={<IconTool size={14} />}
            onClick={() => onFix({ scope: 'collection', collection })}
            data-testid="index-fix-collection"
          >
            Fix all in collection…
          </Button>
        )}
      </Group>
      {unchecked !== null ? (
        <Alert
          color="orange"
          variant="light"
          icon={<IconAlertTriangle size={16} />}
          mx="md"
          mb="md"
          py={8}
          title="Not checked"
          data-testid="index-unchecked"
        >
          <Text size="sm">This collection could not be checked: {unchecked}</Text>
          <Text size="xs" c="dimmed">
            The rest of the report stands. Refresh to try again.
          </Text>
        </Alert>
      ) : (
        <Table.ScrollContainer minWidth={860}>
          <Table verticalSpacing={6} horizontalSpacing="md" highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Keys</Table.Th>
                <Table.Th>Name</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Detail</Table.Th>
                <Table.Th>Usage</Table.Th>
                <Table.Th ta="right">Size</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {checks.map((check, i) => (
                <CheckRow key={`${check.keys} ${check.name ?? i}`} collection={collection} check={check} onFix={onFix} onDrop={onDrop} />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}

function CheckRow({ collection, check, onFix, onDrop }: { collection: string; check: IndexCheck } & Actions) {
  const dropName = droppableName(check);
  return (
    <Table.Tr data-testid="index-check" data-keys={check.keys} data-name={check.name ?? undefined} data-state={check.state}>
      <Table.Td>
        <Code>{check.keys}</Code>
        {check.required && (
          <Text size="xs" c="dimmed">
            required
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Text size="sm" ff="monospace" c={check.name ? undefined : 'dimmed'}>
          {check.name ?? 'not on the server'}
        </Text>
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <StateBadge state={check.state} />
      </Table.Td>
      <Table.Td>
        <Text size="sm">{check.detail}</Text>
      </Table.Td>
      <Table.Td>
        <Usage check={check} />
      </Table.Td>
      <Table.Td ta="right" style={{ whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' }}>
        <Text size="sm" c={check.size_bytes === null ? 'dimmed' : undefined}>
          {check.size_bytes === null ? '—' : formatBytes(check.size_bytes)}
        </Text>
      </Table.Td>
      <Table.Td>
        <Group gap={4} justify="flex-end" wrap="nowrap">
          {check.fix !== null && (
            <Button
              size="compact-xs"
              variant="light"
              onClick={() => onFix({ scope: 'one', collection, keys: check.keys })}
              data-testid="index-fix"
            >
              {check.fix === 'replace' ? 'Replace…' : 'Create…'}
            </Button>
          )}
          {dropName !== null && (
            <WriteButton
              size="compact-xs"
              variant="subtle"
              color="red"
              leftSection={<IconTrash size={12} />}
              onClick={() => onDrop({ collection, name: dropName })}
              data-testid="index-drop"
            >
              Drop…
            </WriteButton>
          )}
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

export function StateBadge({ state }: { state: IndexState }) {
  const { label, color } = STATE_LABELS[state];
  return (
    <Badge
      size="sm"
      variant={state === 'ok' || NO_VERDICT.includes(state) ? 'light' : 'filled'}
      color={color}
      tt="none"
      style={{ overflow: 'visible', flexShrink: 0 }}
      styles={{ label: { overflow: 'visible' } }}
      data-testid="index-state"
      data-state={state}
    >
      {label}
    </Badge>
  );
}

/** Operations since the server started counting, or why they are not known. */
function Usage({ check }: { check: IndexCheck }) {
  return (
    <Stack gap={0}>
      <Text size="sm" c={check.ops === null ? 'dimmed' : undefined} data-testid="index-ops" style={{ whiteSpace: 'nowrap' }}>
        {check.ops === null ? (check.name ? 'usage unknown' : '—') : `${formatCount(check.ops)} ops`}
      </Text>
      {check.unused_since && (
        <Text size="xs" c="dimmed" data-testid="index-unused-since" style={{ whiteSpace: 'nowrap' }}>
          unused since <AbsoluteDate iso={check.unused_since} dateOnly size="xs" c="dimmed" />
        </Text>
      )}
    </Stack>
  );
}
