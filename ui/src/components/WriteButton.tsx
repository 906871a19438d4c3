import { Button, Menu, Tooltip, type ButtonProps, type ElementProps, type MenuItemProps } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import type { MouseEvent, ReactNode, Ref } from 'react';
import { useReadOnly } from '../queries';

export const READ_ONLY_REASON = 'Read-only connection: turn read-only off on the Overview first';

/**
 * Why a write control is off: the connection is read-only (or not known yet),
 * else the screen's own reason, else nothing.
 */
function useBlocked(reason: string | null | undefined): string | null {
  return useReadOnly() ? READ_ONLY_REASON : (reason ?? null);
}

// Off but still hoverable, so its tooltip can say why (a `disabled` button
// gets no pointer events); clicks are swallowed.
const offProps = (blocked: string | null) => ({ 'data-disabled': blocked !== null || undefined, 'aria-disabled': blocked !== null || undefined });

type WriteButtonProps = ButtonProps &
  ElementProps<'button', keyof ButtonProps> & {
    ref?: Ref<HTMLButtonElement>;
    /** Tooltip while the button can be used. */
    hint?: ReactNode;
    /** The screen's own reason the button is off (invalid JSON…), shown as its tooltip. */
    blockedBy?: string | null;
  };

/** A button that changes data: off, saying why, on a read-only connection. */
export function WriteButton({ hint, blockedBy, disabled, onClick, ...props }: WriteButtonProps) {
  const blocked = useBlocked(blockedBy);
  const label = blocked ?? hint;
  return (
    <Tooltip label={label} disabled={!label}>
      <Button
        {...props}
        // Read-only wins over `disabled` so the tooltip can still explain it.
        disabled={blocked === null && disabled}
        {...offProps(blocked)}
        onClick={(e: MouseEvent<HTMLButtonElement>) => {
          if (blocked !== null) e.preventDefault(); // also keeps a submit button from submitting
          else onClick?.(e);
        }}
      />
    </Tooltip>
  );
}

type WriteMenuItemProps = MenuItemProps & ElementProps<'button', keyof MenuItemProps>;

/** A menu entry that changes data: off, with a lock and the reason, on a read-only connection. */
export function WriteMenuItem({ onClick, color, rightSection, closeMenuOnClick, ...props }: WriteMenuItemProps) {
  const blocked = useBlocked(null);
  return (
    <Tooltip label={blocked} disabled={blocked === null} position="left">
      {/* A disabled menu item takes no pointer events: the wrapper gets the hover. */}
      <div>
        <Menu.Item
          {...props}
          color={blocked ? undefined : color}
          rightSection={blocked ? <IconLock size={14} /> : rightSection}
          closeMenuOnClick={blocked === null && closeMenuOnClick}
          {...offProps(blocked)}
          onClick={(e: MouseEvent<HTMLButtonElement>) => blocked === null && onClick?.(e)}
        />
      </div>
    </Tooltip>
  );
}
