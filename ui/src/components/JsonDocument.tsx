import { Box, Code, Collapse, Group, Text, UnstyledButton } from '@mantine/core';
import { IconChevronRight } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import { prettyJson } from '../format';

/** `{"$oid": "…"}` → `…`; other Extended JSON wrappers stay as they are. */
function scalar(v: unknown): string | null {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (typeof o.$oid === 'string') return o.$oid;
    if (typeof o.$date === 'string') return o.$date;
  }
  if (Array.isArray(v)) return `[${v.length}]`;
  return null;
}

/** A one-line preview: `_id` then the plain fields (`user_id` is the same everywhere). */
export function documentSummary(json: string): { id: string | null; fields: string } {
  try {
    const doc = JSON.parse(json) as Record<string, unknown>;
    const fields = Object.entries(doc)
      .filter(([k]) => k !== '_id' && k !== 'user_id')
      .map(([k, v]) => {
        const s = scalar(v);
        return s === null ? `${k}: {…}` : `${k}: ${s}`;
      })
      .join('  ·  ');
    return { id: scalar(doc._id), fields };
  } catch {
    return { id: null, fields: json };
  }
}

/**
 * One stored document (redacted Extended JSON), collapsed to a single line
 * until opened; `leading` goes before it (a selection checkbox).
 */
export function JsonDocument({
  json,
  testId,
  leading,
}: {
  json: string;
  testId: string;
  leading?: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const { id, fields } = documentSummary(json);
  return (
    <Box
      style={{
        border: '1px solid var(--mantine-color-default-border)',
        borderRadius: 'var(--mantine-radius-sm)',
      }}
      data-testid={testId}
      data-id={id ?? undefined}
    >
      <Group gap={8} wrap="nowrap" px="xs" py={6}>
        {leading}
        <UnstyledButton onClick={() => setOpen((o) => !o)} style={{ flex: 1, minWidth: 0 }} aria-expanded={open}>
          <Group gap={10} wrap="nowrap">
            <IconChevronRight
              size={14}
              style={{ flexShrink: 0, transform: open ? 'rotate(90deg)' : undefined, transition: 'transform 120ms' }}
            />
            {id && (
              <Text size="xs" ff="monospace" c="dimmed" style={{ flexShrink: 0 }}>
                {id}
              </Text>
            )}
            <Text size="xs" ff="monospace" truncate="end">
              {fields}
            </Text>
          </Group>
        </UnstyledButton>
      </Group>
      <Collapse in={open}>
        {open && (
          <Code block style={{ borderRadius: 0, borderTop: '1px solid var(--mantine-color-default-border)', maxHeight: 360, overflow: 'auto' }}>
            {prettyJson(json)}
          </Code>
        )}
      </Collapse>
    </Box>
  );
}
