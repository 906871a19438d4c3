import { Box, Skeleton, Table, type MantineSpacing } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, type CSSProperties, type ReactNode } from 'react';
import { OVERSCAN } from './virtualRows';

interface Props {
  /** How many rows; `rowKey` names each for React and the virtualizer. */
  count: number;
  rowKey: (index: number) => string;
  /** One row (a `<Table.Tr>` of `rowHeight`), rendered only near the viewport. */
  renderRow: (index: number) => ReactNode;
  rowHeight: number;
  /** Each column's width, in order: the layout is fixed, so scrolling never re-measures. */
  widths: readonly (number | string | undefined)[];
  /** The header row(s). */
  head: ReactNode;
  /** The first page is loading: placeholder rows of this width per column. */
  loading: boolean;
  skeletonWidth: (column: number) => string;
  skeletonTestId: string;
  /** The rows are the previous query's while the next loads: dimmed. */
  stale: boolean;
  testId: string;
  horizontalSpacing: MantineSpacing;
  miw?: number;
  style?: CSSProperties;
}

/**
 * The app's one virtualized table (the users list, the notification feed):
 * a sticky header over rows rendered only around the viewport, with spacer
 * rows standing in for the rest so the scroll bar tells the whole length.
 */
export function VirtualTable(props: Props) {
  const { count, rowKey, rowHeight, widths, loading, stale } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    getItemKey: rowKey,
    overscan: OVERSCAN,
  });
  const items = virtualizer.getVirtualItems();
  const padTop = items.length > 0 ? items[0].start : 0;
  const padBottom = items.length > 0 ? virtualizer.getTotalSize() - items[items.length - 1].end : 0;
  const spacer = (height: number) => (
    <tr aria-hidden>
      <td colSpan={widths.length} style={{ height, padding: 0, border: 0 }} />
    </tr>
  );

  return (
    <Box ref={scrollRef} data-virtual-viewport="" style={{ overflow: 'auto', ...props.style }}>
      <Table
        layout="fixed"
        stickyHeader
        highlightOnHover
        verticalSpacing={0}
        horizontalSpacing={props.horizontalSpacing}
        miw={props.miw}
        data-testid={props.testId}
        aria-busy={loading || stale}
        style={{ opacity: stale ? 0.6 : 1, transition: 'opacity 120ms' }}
      >
        <colgroup>
          {widths.map((width, i) => (
            <col key={i} style={{ width }} />
          ))}
        </colgroup>
        <Table.Thead>{props.head}</Table.Thead>
        <Table.Tbody>
          {loading &&
            Array.from({ length: 8 }, (_, i) => (
              <Table.Tr key={i} style={{ height: rowHeight }} data-testid={props.skeletonTestId}>
                {widths.map((_, j) => (
                  <Table.Td key={j}>
                    <Skeleton height={12} width={props.skeletonWidth(j)} radius="sm" />
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          {padTop > 0 && spacer(padTop)}
          {items.map((item) => props.renderRow(item.index))}
          {padBottom > 0 && spacer(padBottom)}
        </Table.Tbody>
      </Table>
    </Box>
  );
}
