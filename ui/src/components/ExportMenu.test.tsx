import { screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as backend from '../backend';
import type { TableExportProgress, TableExportReport } from '../backend';
import { useState } from 'react';
import { renderWithProviders } from '../test/render';
import { ExportMenu, type RunExport } from './ExportMenu';
import { RunningExports } from './RunningExports';

vi.mock('../backend');

function renderMenu(run: RunExport) {
  return renderWithProviders(<ExportMenu name="users" runKey="users-list" what="Every user the filters match" noun={['user', 'users']} run={run} testId="x" />);
}

describe('ExportMenu', () => {
  beforeEach(() => {
    vi.mocked(backend.chooseTableExportPath).mockResolvedValue('/home/me/users.jsonl');
    vi.mocked(backend.cancelRun).mockResolvedValue(true);
  });

  it('asks the save dialog for a file of the format, then exports there under a run id', async () => {
    const run = vi.fn<RunExport>().mockResolvedValue({ path: '/home/me/users.jsonl', documents: 1, cancelled: false });
    const { user } = renderMenu(run);
    await user.click(screen.getByTestId('x-menu'));
    expect(await screen.findByText('Every user the filters match')).toBeInTheDocument();
    await user.click(screen.getByTestId('x-json_lines'));
    await waitFor(() => expect(run).toHaveBeenCalled());
    expect(backend.chooseTableExportPath).toHaveBeenCalledWith('users', 'json_lines');
    const [target] = run.mock.calls[0];
    expect(target).toEqual({ path: '/home/me/users.jsonl', format: 'json_lines', run_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(await screen.findByText('1 user to /home/me/users.jsonl')).toBeInTheDocument();
  });

  it('exports nothing when the save dialog is dismissed', async () => {
    vi.mocked(backend.chooseTableExportPath).mockResolvedValue(null);
    const run = vi.fn<RunExport>();
    const { user } = renderMenu(run);
    await user.click(screen.getByTestId('x-menu'));
    await user.click(await screen.findByTestId('x-csv'));
    await waitFor(() => expect(backend.chooseTableExportPath).toHaveBeenCalled());
    expect(run).not.toHaveBeenCalled();
    expect(screen.getByTestId('x-menu')).toBeEnabled();
  });

  it('shows its run again when the screen comes back, and the header lists it with a cancel meanwhile', async () => {
    let finish: (r: TableExportReport) => void = () => {};
    const run = vi.fn<RunExport>().mockImplementation((_target, onProgress) => {
      onProgress({ documents: 2000 });
      return new Promise((resolve) => (finish = resolve));
    });
    /** A screen with the menu, which the admin can leave and come back to. */
    function Screen() {
      const [here, setHere] = useState(true);
      return (
        <>
          <RunningExports />
          <button onClick={() => setHere((h) => !h)}>toggle</button>
          {here && <ExportMenu name="users" runKey="users-list" what="Every user the filters match" noun={['user', 'users']} run={run} testId="x" />}
        </>
      );
    }
    const { user } = renderWithProviders(<Screen />);
    await user.click(screen.getByTestId('x-menu'));
    await user.click(await screen.findByTestId('x-csv'));
    await screen.findByTestId('x-progress');
    // The admin goes elsewhere: the menu is gone, the run is not.
    await user.click(screen.getByText('toggle'));
    expect(screen.queryByTestId('x-progress')).not.toBeInTheDocument();
    await user.click(await screen.findByTestId('running-exports'));
    expect(await screen.findByTestId('running-export')).toHaveTextContent('users');
    expect(screen.getByTestId('running-export')).toHaveTextContent('2,000 written');
    await user.click(screen.getByText('toggle'));
    expect(await screen.findByTestId('x-progress')).toHaveTextContent('2,000 written');
    await user.click(screen.getByTestId('running-exports'));
    await user.click(await screen.findByTestId('running-export-cancel'));
    expect(backend.cancelRun).toHaveBeenCalledWith(run.mock.calls[0][0].run_id);
    finish({ path: '/home/me/users.csv', documents: 2000, cancelled: true });
    await waitFor(() => expect(screen.queryByTestId('running-exports')).not.toBeInTheDocument());
    expect(await screen.findByTestId('x-menu')).toBeInTheDocument();
  });

  it('shows progress while it runs, and its cancel stops that run and says no file was written', async () => {
    let finish: (r: TableExportReport) => void = () => {};
    let progress: (p: TableExportProgress) => void = () => {};
    const run = vi.fn<RunExport>().mockImplementation((_target, onProgress) => {
      progress = onProgress;
      return new Promise((resolve) => (finish = resolve));
    });
    const { user } = renderMenu(run);
    await user.click(screen.getByTestId('x-menu'));
    await user.click(await screen.findByTestId('x-json'));
    await screen.findByTestId('x-progress');
    progress({ documents: 3000 });
    expect(await screen.findByText('3,000 written')).toBeInTheDocument();
    await user.click(screen.getByTestId('x-cancel'));
    expect(backend.cancelRun).toHaveBeenCalledWith(run.mock.calls[0][0].run_id);
    finish({ path: '/home/me/users.jsonl', documents: 3000, cancelled: true });
    expect(await screen.findByText('No file was written.')).toBeInTheDocument();
    expect(await screen.findByTestId('x-menu')).toBeInTheDocument();
  });
});
