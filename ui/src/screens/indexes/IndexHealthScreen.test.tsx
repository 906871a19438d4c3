import { act, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as backend from '../../backend';
import type { HealthProgress, HealthReport } from '../../backend';
import { queryKeys } from '../../queries';
import { aHealthReport, anOverview, aPlannedIndex } from '../../test/fixtures';
import { backendError, renderWithProviders } from '../../test/render';
import { IndexHealthScreen } from './IndexHealthScreen';

vi.mock('../../backend');

function renderIndexes(readOnly = false) {
  const r = renderWithProviders(<IndexHealthScreen />);
  act(() => r.client.setQueryData(queryKeys.overview, anOverview({ read_only: readOnly })));
  return r;
}

const collectionCard = (name: string) => {
  const card = screen.getAllByTestId('index-collection').find((c) => c.dataset.collection === name);
  if (!card) throw new Error(`no collection ${name}`);
  return card;
};

const checkRow = (collection: string, keys: string) => {
  const row = within(collectionCard(collection))
    .getAllByTestId('index-check')
    .find((r) => r.dataset.keys === keys);
  if (!row) throw new Error(`no check ${keys} in ${collection}`);
  return row;
};

describe('IndexHealthScreen', () => {
  beforeEach(() => {
    vi.mocked(backend.indexHealth).mockResolvedValue(aHealthReport());
  });

  it('shows the score, the problems, each check with its state and usage, worst collections first', async () => {
    renderIndexes();
    await waitFor(() => expect(screen.getAllByTestId('index-collection')).toHaveLength(3));
    expect(screen.getByTestId('indexes-score')).toHaveTextContent('84.3');
    expect(screen.getByTestId('indexes-problems')).toHaveTextContent('1');
    expect(screen.getByTestId('indexes-computed-at')).toHaveAttribute('data-iso', '2025-06-01T09:00:00Z');
    expect(screen.getByTestId('indexes-usage-members')).toHaveTextContent('db-0:27017, db-1:27017');
    expect(screen.queryByTestId('indexes-usage-note')).not.toBeInTheDocument();

    // The lowest score first: the collection that needs attention leads.
    expect(screen.getAllByTestId('index-collection').map((c) => c.dataset.collection)).toEqual([
      'users',
      'task_manager_tasks',
      'notifications',
    ]);
    const states = within(collectionCard('task_manager_tasks'))
      .getAllByTestId('index-state')
      .map((b) => b.dataset.state);
    expect(states).toEqual(['ok', 'unused', 'redundant']);
    expect(within(checkRow('users', '{ email: 1 }')).getByTestId('index-state')).toHaveTextContent('missing unique');

    // Usage: counted, unknown, or unused since the server began counting.
    expect(within(checkRow('notifications', '{ user_id: 1, created_at: -1 }')).getByTestId('index-ops')).toHaveTextContent('1,200 ops');
    expect(within(checkRow('task_manager_tasks', '{ user_id: 1 }')).getByTestId('index-ops')).toHaveTextContent('usage unknown');
    const unused = checkRow('task_manager_tasks', '{ title: 1 }');
    expect(within(unused).getByTestId('index-unused-since')).toHaveTextContent('unused since 2025-05-01');
    expect(unused).toHaveTextContent('8.0 KB');

    // A fix where the backend offers one, a drop only for what nothing requires.
    expect(within(checkRow('users', '{ email: 1 }')).getByTestId('index-fix')).toHaveTextContent('Replace');
    expect(within(checkRow('users', '{ last_login: -1 }')).getByTestId('index-fix')).toHaveTextContent('Create');
    expect(within(checkRow('users', '{ email: 1 }')).queryByTestId('index-drop')).not.toBeInTheDocument();
    expect(within(unused).getByTestId('index-drop')).toBeInTheDocument();
    expect(within(checkRow('task_manager_tasks', '{ status: 1 }')).getByTestId('index-drop')).toBeInTheDocument();
    expect(within(checkRow('task_manager_tasks', '{ user_id: 1 }')).queryByTestId('index-drop')).not.toBeInTheDocument();
    expect(within(collectionCard('users')).getByTestId('index-fix-collection')).toBeInTheDocument();
    expect(within(collectionCard('notifications')).queryByTestId('index-fix-collection')).not.toBeInTheDocument();
  });

  it('never offers to drop _id_, and shows the usage note', async () => {
    const report = aHealthReport({ usage_note: 'Index usage is unknown on this server (unsupported).', usage_members: [] });
    report.collections[0].checks.push({
      name: '_id_',
      keys: '{ _id: 1 }',
      state: 'extra',
      required: false,
      detail: 'not required by the platform',
      droppable: false,
      ops: null,
      unused_since: null,
      size_bytes: null,
      fix: null,
    });
    vi.mocked(backend.indexHealth).mockResolvedValue(report);
    renderIndexes();
    await screen.findAllByTestId('index-collection');
    expect(screen.getByTestId('indexes-usage-note')).toHaveTextContent('Index usage is unknown on this server');
    expect(screen.queryByTestId('indexes-usage-members')).not.toBeInTheDocument();
    expect(within(checkRow('notifications', '{ _id: 1 }')).queryByTestId('index-drop')).not.toBeInTheDocument();
  });

  it('shows the progress the backend streams while the report is computed, and computes again on Refresh', async () => {
    let finish: (r: HealthReport) => void = () => {};
    vi.mocked(backend.indexHealth).mockImplementation(
      (onProgress: (p: HealthProgress) => void) =>
        new Promise<HealthReport>((resolve) => {
          onProgress({ done: 1, total: 3, collection: 'notifications' });
          finish = resolve;
        }),
    );
    const { user } = renderIndexes();
    const progress = await screen.findByTestId('indexes-progress');
    await waitFor(() => expect(progress).toHaveTextContent('Checked notifications (1 of 3)'));
    act(() => finish(aHealthReport()));
    await screen.findAllByTestId('index-collection');
    expect(screen.queryByTestId('indexes-progress')).not.toBeInTheDocument();
    expect(backend.indexHealth).toHaveBeenCalledTimes(1);

    await user.click(screen.getByTestId('indexes-refresh'));
    expect(await screen.findByTestId('indexes-progress')).toBeInTheDocument();
    expect(backend.indexHealth).toHaveBeenCalledTimes(2);
    act(() => finish(aHealthReport({ score: 100, problems: 0 })));
    await waitFor(() => expect(screen.getByTestId('indexes-score')).toHaveTextContent('100'));
  });

  it('lists the plan in the fix modal, builds exactly that plan, shows the outcome and recomputes the report', async () => {
    const plan = [aPlannedIndex(), aPlannedIndex({ name: 'last_login_-1', keys: '{ last_login: -1 }', unique: false, replaces: null })];
    vi.mocked(backend.indexFixPlan).mockResolvedValue(plan);
    vi.mocked(backend.createIndexes).mockImplementation(async (_scope, confirmed, onProgress) => {
      onProgress({ done: 1, total: 2, index: 'users { email: 1 }' });
      return { created: confirmed.map((p) => `${p.collection} ${p.keys}`), failed: null };
    });
    const { user } = renderIndexes();
    await screen.findAllByTestId('index-collection');
    await user.click(within(collectionCard('users')).getByTestId('index-fix-collection'));

    const modal = await screen.findByTestId('fix-modal');
    await waitFor(() => expect(within(modal).getAllByTestId('fix-plan-row')).toHaveLength(2));
    expect(backend.indexFixPlan).toHaveBeenCalledWith({ scope: 'collection', collection: 'users' });
    const [email, lastLogin] = within(modal).getAllByTestId('fix-plan-row');
    expect(email).toHaveTextContent('{ email: 1 }');
    expect(email).toHaveTextContent('unique');
    expect(within(email).getByTestId('fix-replaces')).toHaveTextContent('replaces email_1');
    expect(within(lastLogin).queryByTestId('fix-replaces')).not.toBeInTheDocument();
    expect(within(modal).queryByTestId('fix-duplicates')).not.toBeInTheDocument();

    await user.click(within(modal).getByTestId('fix-confirm'));
    await waitFor(() => expect(backend.createIndexes).toHaveBeenCalledTimes(1));
    const [scope, confirmed] = vi.mocked(backend.createIndexes).mock.calls[0];
    expect(scope).toEqual({ scope: 'collection', collection: 'users' });
    expect(confirmed).toEqual(plan);

    const outcome = await within(modal).findByTestId('fix-outcome');
    expect(within(outcome).getAllByTestId('fix-created').map((c) => c.textContent)).toEqual([
      'users { email: 1 }',
      'users { last_login: -1 }',
    ]);
    await waitFor(() => expect(backend.indexHealth).toHaveBeenCalledTimes(2));
  });

  it('fixes one index by its keys, and shows a failure with its error and whether the old index was put back', async () => {
    vi.mocked(backend.indexFixPlan).mockResolvedValue([aPlannedIndex()]);
    vi.mocked(backend.createIndexes).mockResolvedValue({
      created: [],
      failed: {
        index: 'users { email: 1 }',
        error: { type: 'database', data: { message: 'index build aborted', details: 'E11000' } },
        restored: true,
      },
    });
    const { user } = renderIndexes();
    await screen.findAllByTestId('index-collection');
    await user.click(within(checkRow('users', '{ email: 1 }')).getByTestId('index-fix'));
    expect(backend.indexFixPlan).toHaveBeenCalledWith({ scope: 'one', collection: 'users', keys: '{ email: 1 }' });
    await user.click(await screen.findByTestId('fix-confirm'));
    const failure = await screen.findByTestId('fix-failure');
    expect(failure).toHaveTextContent('Index build aborted');
    expect(within(failure).getByTestId('fix-restored')).toHaveTextContent('put back');
  });

  it('does not call an index unbuilt when its build got no answer (the server may still be building it)', async () => {
    vi.mocked(backend.indexFixPlan).mockResolvedValue([aPlannedIndex()]);
    const message = 'The database server stopped answering (nothing within 3000 ms). Whether the change was applied is unknown: reload to see before trying again.';
    vi.mocked(backend.createIndexes).mockResolvedValue({
      created: [],
      failed: {
        index: 'users { email: 1 }',
        error: { type: 'connection_lost', data: { timeout_ms: 3000, message, outcome_unknown: true, details: 'pool cleared' } },
        restored: null,
      },
    });
    const { user } = renderIndexes();
    await screen.findAllByTestId('index-collection');
    await user.click(within(checkRow('users', '{ email: 1 }')).getByTestId('index-fix'));
    await user.click(await screen.findByTestId('fix-confirm'));
    const failure = await screen.findByTestId('fix-failure');
    expect(failure).toHaveTextContent('Whether the change was applied is unknown');
    expect(failure).not.toHaveTextContent('nothing was built');
    expect(failure).toHaveTextContent('Nothing after it was tried.');
  });

  it('shows the duplicates that stop a unique index and keeps confirm off', async () => {
    vi.mocked(backend.indexFixPlan).mockResolvedValue([
      aPlannedIndex({ duplicates: [{ value: '{"email":"ada@example.com"}', count: 2 }] }),
    ]);
    const { user } = renderIndexes();
    await screen.findAllByTestId('index-collection');
    await user.click(screen.getByTestId('index-fix-all'));
    expect(backend.indexFixPlan).toHaveBeenCalledWith({ scope: 'all' });
    const duplicates = await screen.findByTestId('fix-duplicates');
    expect(duplicates).toHaveTextContent('{"email":"ada@example.com"} × 2');
    const confirm = screen.getByTestId('fix-confirm');
    expect(confirm).toHaveAttribute('data-disabled', 'true');
    await user.click(confirm);
    expect(backend.createIndexes).not.toHaveBeenCalled();
  });

  it('lists the new plan when the backend says the plan changed since it was confirmed', async () => {
    vi.mocked(backend.indexFixPlan)
      .mockResolvedValueOnce([aPlannedIndex()])
      .mockResolvedValue([aPlannedIndex(), aPlannedIndex({ collection: 'settings', name: 'user_id_1', keys: '{ user_id: 1 }', replaces: null })]);
    vi.mocked(backend.createIndexes).mockRejectedValue(backendError({ type: 'conflict', data: { current: 'users { email: 1 }; settings { user_id: 1 }' } }));
    const { user } = renderIndexes();
    await screen.findAllByTestId('index-collection');
    await user.click(screen.getByTestId('index-fix-all'));
    await waitFor(() => expect(screen.getAllByTestId('fix-plan-row')).toHaveLength(1));
    await user.click(screen.getByTestId('fix-confirm'));
    expect(await screen.findByTestId('fix-conflict')).toHaveTextContent('settings { user_id: 1 }');
    await waitFor(() => expect(screen.getAllByTestId('fix-plan-row')).toHaveLength(2));
  });

  it('keeps the build off on a read-only connection', async () => {
    vi.mocked(backend.indexFixPlan).mockResolvedValue([aPlannedIndex()]);
    const { user } = renderIndexes(true);
    await screen.findAllByTestId('index-collection');
    await user.click(screen.getByTestId('index-fix-all'));
    await screen.findAllByTestId('fix-plan-row');
    await user.click(screen.getByTestId('fix-confirm'));
    expect(screen.getByTestId('fix-confirm')).toHaveAttribute('data-disabled', 'true');
    expect(backend.createIndexes).not.toHaveBeenCalled();
  });

  it('drops an index only once its name is typed back', async () => {
    vi.mocked(backend.dropIndex).mockResolvedValue(null);
    const { user } = renderIndexes();
    await screen.findAllByTestId('index-collection');
    await user.click(within(checkRow('task_manager_tasks', '{ title: 1 }')).getByTestId('index-drop'));

    const modal = await screen.findByTestId('drop-modal');
    const confirm = within(modal).getByTestId('drop-confirm');
    expect(confirm).toHaveAttribute('data-disabled', 'true');
    await user.click(confirm);
    await user.type(within(modal).getByTestId('drop-confirm-input'), 'title');
    expect(confirm).toHaveAttribute('data-disabled', 'true');
    await user.click(confirm);
    expect(backend.dropIndex).not.toHaveBeenCalled();

    await user.type(within(modal).getByTestId('drop-confirm-input'), '_1');
    expect(confirm).not.toHaveAttribute('data-disabled');
    await user.click(confirm);
    await waitFor(() => expect(backend.dropIndex).toHaveBeenCalledWith('task_manager_tasks', 'title_1', 'title_1'));
    expect(await screen.findByText('Index dropped')).toBeInTheDocument();
    await waitFor(() => expect(backend.indexHealth).toHaveBeenCalledTimes(2));
  });

  it('reads an index too new to judge as too early to tell: no unused styling, no drop', async () => {
    const report = aHealthReport();
    report.collections[1].checks[1] = {
      ...report.collections[1].checks[1],
      state: 'too_early',
      detail: 'not required by the platform; too early to tell (counting since 2025-06-01T08:00:00Z): usage is judged after 7 days of counting',
      unused_since: null,
      // Even were the backend to allow it, the screen never suggests it.
      droppable: true,
    };
    vi.mocked(backend.indexHealth).mockResolvedValue(report);
    renderIndexes();
    await screen.findAllByTestId('index-collection');
    const row = checkRow('task_manager_tasks', '{ title: 1 }');
    const badge = within(row).getByTestId('index-state');
    expect(badge).toHaveTextContent('too early to tell');
    expect(badge).toHaveAttribute('data-variant', 'light');
    expect(badge).not.toHaveTextContent('unused');
    expect(row).toHaveTextContent('counting since 2025-06-01');
    expect(within(row).queryByTestId('index-unused-since')).not.toBeInTheDocument();
    expect(within(row).queryByTestId('index-drop')).not.toBeInTheDocument();
  });

  it('shows an index being built as building, with nothing to fix or drop', async () => {
    const report = aHealthReport();
    report.collections[1].checks[1] = {
      ...report.collections[1].checks[1],
      state: 'building',
      detail: 'being built on the server; not required by the platform',
      ops: null,
      unused_since: null,
      droppable: true,
    };
    vi.mocked(backend.indexHealth).mockResolvedValue(report);
    renderIndexes();
    await screen.findAllByTestId('index-collection');
    const row = checkRow('task_manager_tasks', '{ title: 1 }');
    expect(within(row).getByTestId('index-state')).toHaveTextContent('building');
    expect(within(row).queryByTestId('index-drop')).not.toBeInTheDocument();
    expect(within(row).queryByTestId('index-fix')).not.toBeInTheDocument();
  });

  it('shows a collection that could not be checked with its reason, and the rest of the report', async () => {
    const report = aHealthReport();
    report.collections.push({
      collection: 'crm_contacts',
      kind: 'plugin',
      checks: [],
      score: null,
      unchecked: 'The server stopped the operation at its time limit; narrow the filter or try again. [time_limit]',
    });
    vi.mocked(backend.indexHealth).mockResolvedValue(report);
    const { user } = renderIndexes();
    await waitFor(() => expect(screen.getAllByTestId('index-collection')).toHaveLength(4));
    const card = collectionCard('crm_contacts');
    expect(within(card).getByTestId('index-unchecked')).toHaveTextContent('could not be checked');
    expect(within(card).getByTestId('index-unchecked')).toHaveTextContent('time limit');
    expect(within(card).getByTestId('index-collection-score')).toHaveTextContent('score unknown');
    expect(within(card).queryByTestId('index-check')).not.toBeInTheDocument();
    expect(screen.getByTestId('indexes-unchecked')).toHaveTextContent('1 collection could not be checked: crm_contacts');
    expect(within(collectionCard('users')).getAllByTestId('index-check').length).toBeGreaterThan(0);

    // A fix of every collection says which ones it leaves out.
    vi.mocked(backend.indexFixPlan).mockResolvedValue([aPlannedIndex()]);
    await user.click(screen.getByTestId('index-fix-all'));
    expect(await screen.findByTestId('fix-unchecked')).toHaveTextContent('Not in this plan: crm_contacts');
  });

  it('says how each index is fixed, and lets the modal close while the server keeps building', async () => {
    vi.mocked(backend.indexFixPlan).mockResolvedValue([
      aPlannedIndex({ method: 'in_place', name: 'email_1' }),
      aPlannedIndex({ collection: 'users', name: 'username_1_v2', keys: '{ username: 1 }', replaces: 'username_1', method: 'build_then_drop' }),
      aPlannedIndex({ collection: 'users', name: 'roles_1', keys: '{ roles: 1 }', unique: false, replaces: 'roles_1', method: 'drop_then_build' }),
    ]);
    let finish: (o: { created: string[]; failed: null }) => void = () => {};
    vi.mocked(backend.createIndexes).mockImplementation(() => new Promise((resolve) => (finish = resolve)));
    const { user } = renderIndexes();
    await screen.findAllByTestId('index-collection');
    await user.click(within(collectionCard('users')).getByTestId('index-fix-collection'));
    const modal = await screen.findByTestId('fix-modal');
    await waitFor(() => expect(within(modal).getAllByTestId('fix-plan-row')).toHaveLength(3));
    const [email, username, roles] = within(modal).getAllByTestId('fix-plan-row');
    expect(within(email).getByTestId('fix-method')).toHaveTextContent('changed in place');
    expect(within(username).getByTestId('fix-method')).toHaveTextContent('built first, then username_1 dropped');
    expect(within(roles).getByTestId('fix-method')).toHaveTextContent('roles_1 dropped first');

    await user.click(within(modal).getByTestId('fix-confirm'));
    await waitFor(() => expect(backend.createIndexes).toHaveBeenCalledTimes(1));
    const close = await within(modal).findByTestId('fix-close-running');
    expect(within(modal).getByTestId('fix-progress')).toHaveTextContent('the server keeps building');
    await user.click(close);
    await waitFor(() => expect(screen.queryByTestId('fix-plan')).not.toBeInTheDocument());
    // The next report shows the build as it stands on the server.
    await waitFor(() => expect(backend.indexHealth).toHaveBeenCalledTimes(2));
    act(() => finish({ created: ['users { email: 1 }'], failed: null }));
    await waitFor(() => expect(backend.indexHealth).toHaveBeenCalledTimes(3));
  });
});
