import { Menu } from '@mantine/core';
import { screen } from '@testing-library/react';
import type { FormEvent, ReactElement } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { createQueryClient, queryKeys } from '../queries';
import { anOverview } from '../test/fixtures';
import { renderWithProviders } from '../test/render';
import { READ_ONLY_REASON, WriteButton, WriteMenuItem } from './WriteButton';

/** Renders `ui` with the active connection read-only or not (undefined: not known yet). */
function renderWith(ui: ReactElement, readOnly: boolean | undefined) {
  const client = createQueryClient();
  if (readOnly !== undefined) client.setQueryData(queryKeys.overview, anOverview({ read_only: readOnly }));
  return renderWithProviders(ui, client);
}

describe('WriteButton', () => {
  it('on a read-only connection is off, says why and ignores clicks, even as a submit button', async () => {
    const onClick = vi.fn();
    const onSubmit = vi.fn((e: FormEvent) => e.preventDefault());
    const { user } = renderWith(
      <form onSubmit={onSubmit}>
        <WriteButton type="submit" hint="Save it" onClick={onClick} data-testid="save">
          Save
        </WriteButton>
      </form>,
      true,
    );
    const button = screen.getByTestId('save');
    expect(button).toHaveAttribute('aria-disabled', 'true');
    expect(button).toHaveAttribute('data-disabled', 'true');
    await user.click(button);
    expect(onClick).not.toHaveBeenCalled();
    expect(onSubmit).not.toHaveBeenCalled();
    await user.hover(button);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(READ_ONLY_REASON);
  });

  it('is off while the connection is not known yet', () => {
    renderWith(<WriteButton data-testid="save">Save</WriteButton>, undefined);
    expect(screen.getByTestId('save')).toHaveAttribute('aria-disabled', 'true');
  });

  it('on a writable connection works, with its hint', async () => {
    const onClick = vi.fn();
    const { user } = renderWith(
      <WriteButton hint="Save it" onClick={onClick} data-testid="save">
        Save
      </WriteButton>,
      false,
    );
    const button = screen.getByTestId('save');
    expect(button).not.toHaveAttribute('aria-disabled');
    await user.click(button);
    expect(onClick).toHaveBeenCalledTimes(1);
    await user.hover(button);
    expect(await screen.findByRole('tooltip')).toHaveTextContent('Save it');
  });

  it('shows the screen’s own reason when it is off for one', async () => {
    const onClick = vi.fn();
    const { user } = renderWith(
      <WriteButton blockedBy="Fix the JSON first" onClick={onClick} data-testid="save">
        Save
      </WriteButton>,
      false,
    );
    const button = screen.getByTestId('save');
    expect(button).toHaveAttribute('aria-disabled', 'true');
    await user.click(button);
    expect(onClick).not.toHaveBeenCalled();
    await user.hover(button);
    expect(await screen.findByRole('tooltip')).toHaveTextContent('Fix the JSON first');
  });
});

describe('WriteMenuItem', () => {
  const menu = (onClick: () => void) => (
    <Menu opened>
      <Menu.Target>
        <button type="button">Actions</button>
      </Menu.Target>
      <Menu.Dropdown>
        <WriteMenuItem onClick={onClick} data-testid="erase">
          Erase
        </WriteMenuItem>
      </Menu.Dropdown>
    </Menu>
  );

  it('on a read-only connection is off and ignores clicks', async () => {
    const onClick = vi.fn();
    const { user } = renderWith(menu(onClick), true);
    const item = screen.getByTestId('erase');
    expect(item).toHaveAttribute('aria-disabled', 'true');
    await user.click(item);
    expect(onClick).not.toHaveBeenCalled();
  });

  it('on a writable connection works', async () => {
    const onClick = vi.fn();
    const { user } = renderWith(menu(onClick), false);
    expect(screen.getByTestId('erase')).not.toHaveAttribute('aria-disabled');
    await user.click(screen.getByTestId('erase'));
    expect(onClick).toHaveBeenCalledTimes(1);
  });
});
