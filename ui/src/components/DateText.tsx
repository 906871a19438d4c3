import { Text, Tooltip, type TextProps } from '@mantine/core';
import { formatDate, formatDateTime, formatInstant, formatRelative } from '../format';

/** `3 days ago`, with the full instant in a tooltip; a dash when absent. */
export function RelativeDate({ iso, empty = '—', ...props }: { iso: string | null; empty?: string } & TextProps) {
  if (!iso) {
    return (
      <Text size="sm" c="dimmed" span {...props}>
        {empty}
      </Text>
    );
  }
  return (
    <Tooltip label={formatInstant(iso)}>
      <Text size="sm" span data-iso={iso} style={{ whiteSpace: 'nowrap' }} {...props}>
        {formatRelative(iso)}
      </Text>
    </Tooltip>
  );
}

/** `2025-03-14 09:26` (local; `dateOnly`: `2025-03-14`), with the full instant in a tooltip. */
export function AbsoluteDate({
  iso,
  empty = '—',
  dateOnly = false,
  ...props
}: { iso: string | null; empty?: string; dateOnly?: boolean } & TextProps) {
  if (!iso) {
    return (
      <Text size="sm" c="dimmed" span {...props}>
        {empty}
      </Text>
    );
  }
  return (
    <Tooltip label={formatInstant(iso)}>
      <Text size="sm" span data-iso={iso} style={{ whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' }} {...props}>
        {dateOnly ? formatDate(iso) : formatDateTime(iso)}
      </Text>
    </Tooltip>
  );
}
