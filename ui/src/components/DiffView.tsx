import { Box, Text } from '@mantine/core';
import { diffLines } from 'diff';
import { useMemo } from 'react';

interface Line {
  kind: 'same' | 'added' | 'removed';
  text: string;
  before: number | null;
  after: number | null;
}

/** A unified line diff of two texts. */
export function lineDiff(before: string, after: string): Line[] {
  const lines: Line[] = [];
  let b = 1;
  let a = 1;
  for (const part of diffLines(before, after)) {
    const texts = part.value.replace(/\n$/, '').split('\n');
    for (const text of texts) {
      if (part.added) lines.push({ kind: 'added', text, before: null, after: a++ });
      else if (part.removed) lines.push({ kind: 'removed', text, before: b++, after: null });
      else lines.push({ kind: 'same', text, before: b++, after: a++ });
    }
  }
  return lines;
}

const STYLE = {
  added: { bg: 'var(--mantine-color-green-light)', sign: '+', color: 'var(--mantine-color-green-text)' },
  removed: { bg: 'var(--mantine-color-red-light)', sign: '−', color: 'var(--mantine-color-red-text)' },
  same: { bg: 'transparent', sign: ' ', color: 'var(--mantine-color-dimmed)' },
} as const;

/** Before/after as one column: removed lines red, added lines green. */
export function DiffView({ before, after, maxHeight = 420 }: { before: string; after: string; maxHeight?: number }) {
  const lines = useMemo(() => lineDiff(before, after), [before, after]);
  const added = lines.filter((l) => l.kind === 'added').length;
  const removed = lines.filter((l) => l.kind === 'removed').length;
  const numberCell = { width: 40, textAlign: 'right' as const, paddingRight: 8, color: 'var(--mantine-color-dimmed)', userSelect: 'none' as const };
  return (
    <Box data-testid="diff-view">
      <Text size="xs" c="dimmed" mb={6}>
        <Text span c="green" fw={600} size="xs">
          +{added}
        </Text>{' '}
        <Text span c="red" fw={600} size="xs">
          −{removed}
        </Text>{' '}
        lines
      </Text>
      <Box
        style={{
          border: '1px solid var(--mantine-color-default-border)',
          borderRadius: 'var(--mantine-radius-md)',
          overflow: 'auto',
          maxHeight,
          fontFamily: 'var(--mantine-font-family-monospace)',
          fontSize: 'var(--mantine-font-size-xs)',
          lineHeight: 1.6,
        }}
      >
        <table style={{ borderCollapse: 'collapse', width: '100%' }}>
          <tbody>
            {lines.map((l, i) => {
              const s = STYLE[l.kind];
              return (
                <tr
                  key={i}
                  style={{ background: s.bg }}
                  data-testid={l.kind === 'same' ? 'diff-same' : l.kind === 'added' ? 'diff-added' : 'diff-removed'}
                >
                  <td style={numberCell}>{l.before ?? ''}</td>
                  <td style={numberCell}>{l.after ?? ''}</td>
                  <td style={{ width: 16, color: s.color, userSelect: 'none', fontWeight: 700 }}>{s.sign}</td>
                  <td style={{ whiteSpace: 'pre', paddingRight: 12 }}>{l.text}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Box>
    </Box>
  );
}
