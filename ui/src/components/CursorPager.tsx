import { ActionIcon, Tooltip } from '@mantine/core';
import { IconChevronLeft, IconChevronRight, IconChevronsLeft, IconRefresh } from '@tabler/icons-react';

/**
 * First / previous / next / reload for a range-paged list: the backend
 * hands out a cursor for the next page only, so "previous" pops the stack
 * of cursors the screen keeps, and there is no "last".
 */
export function CursorPager({
  pageIndex,
  hasNext,
  onFirst,
  onPrevious,
  onNext,
  onReload,
  reloading,
  reloadLabel,
  testIds,
}: {
  pageIndex: number;
  hasNext: boolean;
  onFirst: () => void;
  onPrevious: () => void;
  onNext: () => void;
  onReload: () => void;
  reloading: boolean;
  reloadLabel: string;
  testIds: { previous: string; next: string; reload: string };
}) {
  const button = (label: string, icon: React.ReactNode, onClick: () => void, disabled: boolean, testId?: string) => (
    <Tooltip label={label}>
      <ActionIcon variant="subtle" color="gray" disabled={disabled} onClick={onClick} aria-label={label} data-testid={testId}>
        {icon}
      </ActionIcon>
    </Tooltip>
  );
  return (
    <>
      {button('First page', <IconChevronsLeft size={16} />, onFirst, pageIndex === 0)}
      {button('Previous page', <IconChevronLeft size={16} />, onPrevious, pageIndex === 0, testIds.previous)}
      {button('Next page', <IconChevronRight size={16} />, onNext, !hasNext, testIds.next)}
      <Tooltip label="Reload">
        <ActionIcon
          variant="subtle"
          color="gray"
          loading={reloading}
          onClick={onReload}
          aria-label={reloadLabel}
          data-testid={testIds.reload}
        >
          <IconRefresh size={16} />
        </ActionIcon>
      </Tooltip>
    </>
  );
}
