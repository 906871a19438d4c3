import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as backend from '../../backend';
import { queryKeys } from '../../queries';
import { aFindingsReport, anOverview, aPluginOverview, aSchemaReport, aUserRow, somePluginData, USER_ID } from '../../test/fixtures';
import { renderWithProviders } from '../../test/render';
import { PluginsScreen } from './PluginsScreen';

vi.mock('../../backend');

function renderPlugins() {
  const r = renderWithProviders(<PluginsScreen />);
  act(() => r.client.setQueryData(queryKeys.overview, anOverview()));
  return r;
}

const collectionItem = (name: string) => {
  const item = screen.getAllByTestId('plugin-collection').find((c) => c.dataset.name === name);
  if (!item) throw new Error(`no collection ${name}`);
  return item;
};

const DOC_1 = '66c000000000000000000001';
const DOC_2 = '66c000000000000000000002';

describe('PluginsScreen', () => {
  beforeEach(() => {
    vi.mocked(backend.pluginOverview).mockResolvedValue(aPluginOverview());
    vi.mocked(backend.pluginSchema).mockResolvedValue(aSchemaReport());
    vi.mocked(backend.pluginFindings).mockResolvedValue(aFindingsReport());
    vi.mocked(backend.findingDocuments).mockResolvedValue(['{"_id":{"$oid":"66b000000000000000000001"},"title":"Lost task"}']);
  });

  it('lists the plugins with their collections, and the unassigned ones', async () => {
    renderPlugins();
    await waitFor(() => expect(screen.getAllByTestId('plugin-collection')).toHaveLength(4));
    const plugins = screen.getAllByTestId('plugin');
    expect(plugins.map((p) => p.dataset.name)).toEqual(['task_manager', 'crm']);
    expect(within(plugins[0]).getByTestId('plugin-settings-badge')).toHaveTextContent('settings');
    expect(within(plugins[1]).queryByTestId('plugin-settings-badge')).not.toBeInTheDocument();
    expect(collectionItem('task_manager_tasks')).toHaveTextContent('1,200 docs · 256 KB');
    expect(within(collectionItem('task_manager_projects')).getByTestId('plugin-stats-note')).toHaveTextContent('collStats not authorized');
    expect(within(screen.getByTestId('plugin-unassigned')).getByTestId('plugin-collection')).toHaveAttribute('data-name', 'legacy_imports');
  });

  it('shows the schema and the findings of the selected collection, and the documents behind a finding', async () => {
    const { user } = renderPlugins();
    await screen.findAllByTestId('plugin-collection');
    await user.click(collectionItem('task_manager_tasks'));
    await waitFor(() => expect(screen.getAllByTestId('schema-field')).toHaveLength(4));
    expect(backend.pluginSchema).toHaveBeenCalledWith('task_manager_tasks');
    const userId = screen.getAllByTestId('schema-field').find((r) => r.dataset.path === 'user_id')!;
    expect(userId).toHaveTextContent('string');
    expect(userId).toHaveTextContent('objectId');
    expect(within(userId).getByTestId('schema-presence')).toHaveTextContent('98.5%');

    await user.click(screen.getByTestId('tab-findings'));
    await waitFor(() => expect(screen.getAllByTestId('finding')).toHaveLength(3));
    expect(backend.pluginFindings).toHaveBeenCalledWith('task_manager_tasks');
    expect(screen.getByTestId('no-user-id-index')).toHaveTextContent('no {user_id: 1} index');
    const counts = Object.fromEntries(screen.getAllByTestId('finding').map((f) => [f.dataset.kind, f.dataset.count]));
    expect(counts).toEqual({ missing_user_id: '3', wrong_user_id_type: '12', orphan: '0' });

    // A finding with nothing behind it opens nothing.
    await user.click(screen.getAllByTestId('finding').find((f) => f.dataset.kind === 'orphan')!);
    expect(backend.findingDocuments).not.toHaveBeenCalled();

    await user.click(screen.getAllByTestId('finding').find((f) => f.dataset.kind === 'missing_user_id')!);
    const docs = await screen.findByTestId('finding-documents');
    expect(backend.findingDocuments).toHaveBeenCalledWith('task_manager_tasks', 'missing_user_id');
    expect(within(docs).getByTestId('finding-document')).toHaveTextContent('"title": "Lost task"');
  });

  it("sets the status of the chosen user's selected documents", async () => {
    vi.mocked(backend.searchUsers).mockResolvedValue([aUserRow()]);
    vi.mocked(backend.userPluginData).mockResolvedValue(
      somePluginData('task_manager_tasks', {
        documents: [
          `{"_id":{"$oid":"${DOC_1}"},"user_id":"${USER_ID}","title":"One","status":"todo"}`,
          `{"_id":{"$oid":"${DOC_2}"},"user_id":"${USER_ID}","title":"Two","status":"todo"}`,
          `{"_id":{"$oid":"66c000000000000000000003"},"user_id":"${USER_ID}","title":"Three","status":"done"}`,
        ],
        count: 3,
      }),
    );
    vi.mocked(backend.setPluginStatus).mockResolvedValue({ matched: 2, modified: 2 });
    const { user } = renderPlugins();
    await screen.findAllByTestId('plugin-collection');
    await user.click(collectionItem('task_manager_tasks'));
    await user.click(screen.getByTestId('tab-browse'));

    fireEvent.change(await screen.findByTestId('user-search'), { target: { value: 'ada' } });
    await user.click(await screen.findByTestId('user-search-result'));
    await waitFor(() => expect(screen.getAllByTestId('browse-document')).toHaveLength(3));
    expect(backend.userPluginData).toHaveBeenCalledWith(USER_ID, 'task_manager_tasks', 25);

    const doc = (id: string) => screen.getAllByTestId('browse-document').find((d) => d.dataset.id === id)!;
    await user.click(within(doc(DOC_1)).getByTestId('browse-select'));
    await user.click(within(doc(DOC_2)).getByTestId('browse-select'));
    await user.click(screen.getByTestId('browse-status'));
    await user.click(await screen.findByRole('option', { name: 'done' }));
    await user.click(screen.getByTestId('browse-set-status'));

    await waitFor(() => expect(backend.setPluginStatus).toHaveBeenCalledWith(USER_ID, 'task_manager_tasks', [DOC_1, DOC_2], 'done'));
    expect(await screen.findByText('2 matched, 2 modified')).toBeInTheDocument();
  });
});
