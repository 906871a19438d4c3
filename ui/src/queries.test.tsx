import { Button } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { act, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AppError } from './bindings';
import { queryKeys, type WriteMeta } from './queries';
import { backendError, renderWithProviders } from './test/render';

/** A button that runs one mutation: it fails with `error`, or succeeds. */
function Write({ error, meta }: { error?: AppError; meta?: WriteMeta }) {
  const write = useMutation({
    mutationFn: async () => {
      if (error) throw backendError(error);
      return 'ok';
    },
    meta,
  });
  return (
    <Button onClick={() => write.mutate()} data-testid="write" data-status={write.status}>
      Write
    </Button>
  );
}

const done = () => waitFor(() => expect(screen.getByTestId('write').dataset.status).not.toBe('pending'));

describe('the client-wide write path', () => {
  it('toasts a failed mutation the way describeError words it', async () => {
    const { user } = renderWithProviders(<Write error={{ type: 'read_only' }} />);
    await user.click(screen.getByTestId('write'));
    expect(await screen.findByText('Read-only connection')).toBeInTheDocument();
    expect(screen.getByText(/Turn read-only off on the Overview first/)).toBeInTheDocument();
  });

  it('leaves the failures a screen shows itself to the screen', async () => {
    const conflict: AppError = { type: 'conflict', data: { current: null } };
    const { user, unmount } = renderWithProviders(<Write error={conflict} meta={{ showsErrors: ['conflict'] }} />);
    await user.click(screen.getByTestId('write'));
    await done();
    expect(screen.queryByText('Changed by someone else')).not.toBeInTheDocument();
    unmount();

    const other = renderWithProviders(<Write error={{ type: 'last_superadmin' }} meta={{ showsErrors: true }} />);
    await other.user.click(screen.getByTestId('write'));
    await done();
    expect(screen.queryByText('Last superadmin')).not.toBeInTheDocument();
  });

  it('still toasts the codes a screen does not handle', async () => {
    const { user } = renderWithProviders(<Write error={{ type: 'not_connected' }} meta={{ showsErrors: ['conflict'] }} />);
    await user.click(screen.getByTestId('write'));
    expect(await screen.findByText('Not connected')).toBeInTheDocument();
  });

  it('marks the audit log out of date after every successful write, and only then', async () => {
    const query = { text: null, collection: null, operation: null, limit: 200 };
    const failing = renderWithProviders(<Write error={{ type: 'read_only' }} meta={{ showsErrors: true }} />);
    act(() => failing.client.setQueryData(queryKeys.audit(query), []));
    await failing.user.click(screen.getByTestId('write'));
    await done();
    expect(failing.client.getQueryState(queryKeys.audit(query))?.isInvalidated).toBe(false);
    failing.unmount();

    const { user, client } = renderWithProviders(<Write />);
    act(() => client.setQueryData(queryKeys.audit(query), []));
    await user.click(screen.getByTestId('write'));
    await waitFor(() => expect(client.getQueryState(queryKeys.audit(query))?.isInvalidated).toBe(true));
  });
});
