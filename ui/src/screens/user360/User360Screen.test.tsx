import { act, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as backend from '../../backend';
import type { ExportProgress, Overview } from '../../backend';
import { editorViewOf } from '../../components/JsonEditor';
import { queryKeys } from '../../queries';
import type { EChartProps } from '../../components/EChart';
import {
  aChart,
  anErasePlan,
  anOverview,
  aUserDetail,
  aUserSettings,
  NOTES_JSON,
  PREFS_JSON,
  somePluginData,
  someNotifications,
  USER_ID,
} from '../../test/fixtures';
import { backendError, renderWithProviders } from '../../test/render';
import { User360Screen } from './User360Screen';

vi.mock('../../backend');
// ECharts measures text on a canvas jsdom lacks; the chart's bars are also buttons under it.
vi.mock('../../components/EChart', () => ({
  EChart: ({ testId }: EChartProps) => <div data-testid={testId} />,
}));

/** The user's plugin documents by status, as the backend charts them. */
const USER_STATUS = aChart('plugin_status', {
  title: "This user's plugin documents by status",
  categories: ['task_manager_tasks', 'crm_contacts'],
  series: [
    {
      name: 'todo',
      values: [4, 0],
      drill: [{ to: 'plugin', collection: 'task_manager_tasks', status: 'todo', user_id: USER_ID }, null],
    },
    {
      name: 'done',
      values: [2, 1],
      drill: [
        { to: 'plugin', collection: 'task_manager_tasks', status: 'done', user_id: USER_ID },
        { to: 'plugin', collection: 'crm_contacts', status: 'done', user_id: USER_ID },
      ],
    },
  ],
  note: null,
});

function render360(overview: Overview = anOverview()) {
  const onBack = vi.fn();
  const onErased = vi.fn();
  const onDrill = vi.fn();
  const r = renderWithProviders(
    <User360Screen userId={USER_ID} backLabel="Users" onBack={onBack} onErased={onErased} onDrill={onDrill} />,
  );
  act(() => r.client.setQueryData(queryKeys.overview, overview));
  return { ...r, onBack, onErased, onDrill };
}

/** Replaces the whole text of the JSON editor inside `container`. */
function setEditorText(container: HTMLElement, text: string) {
  const view = editorViewOf(within(container).getByTestId('plugin-editor'));
  if (!view) throw new Error('no CodeMirror view');
  act(() => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }));
}

const pluginCard = (plugin: string) => {
  const card = screen.getAllByTestId('plugin-settings').find((c) => c.dataset.plugin === plugin);
  if (!card) throw new Error(`no plugin ${plugin}`);
  return card;
};

describe('User360Screen', () => {
  beforeEach(() => {
    vi.mocked(backend.userDetail).mockResolvedValue(aUserDetail());
    vi.mocked(backend.userSettings).mockResolvedValue(aUserSettings());
    vi.mocked(backend.userNotifications).mockResolvedValue(someNotifications());
    vi.mocked(backend.pluginCollections).mockResolvedValue(['task_manager_tasks', 'crm_contacts']);
    vi.mocked(backend.userPluginData).mockImplementation(async (_id, collection) => somePluginData(collection));
    vi.mocked(backend.userPluginStatus).mockResolvedValue(USER_STATUS);
  });

  it("charts the user's plugin documents by status; a bar leads to those documents", async () => {
    const { user, onDrill } = render360();
    const chart = await screen.findByTestId('chart-user-plugin-status');
    await waitFor(() => expect(within(chart).getAllByTestId('chart-row')).toHaveLength(3));
    expect(backend.userPluginStatus).toHaveBeenCalledWith(USER_ID);
    expect(chart).toHaveTextContent("This user's plugin documents by status");
    const crmDone = within(chart)
      .getAllByTestId('chart-row')
      .find((r) => r.dataset.category === 'crm_contacts' && r.dataset.series === 'done')!;
    await user.click(crmDone);
    expect(onDrill).toHaveBeenCalledWith({ to: 'plugin', collection: 'crm_contacts', status: 'done', user_id: USER_ID });
  });

  it('marks the root with the user id and loads every section in parallel', async () => {
    render360();
    expect(screen.getByTestId('user360')).toHaveAttribute('data-user-id', USER_ID);
    expect(await screen.findByTestId('profile')).toHaveTextContent('Ada Lovelace');
    expect(await screen.findByTestId('notification-prefs')).toBeInTheDocument();
    expect(await screen.findByTestId('notifications-table')).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByTestId('plugin-document')).toHaveLength(2));
    expect(backend.userDetail).toHaveBeenCalledWith(USER_ID);
    expect(backend.userSettings).toHaveBeenCalledWith(USER_ID);
    expect(backend.userNotifications).toHaveBeenCalledWith(USER_ID, 0, 25);
    expect(backend.userPluginData).toHaveBeenCalledWith(USER_ID, 'task_manager_tasks', 25);
    expect(backend.userPluginData).toHaveBeenCalledWith(USER_ID, 'crm_contacts', 25);
  });

  it('keeps showing the other sections when one fails, and one still loading blocks nothing', async () => {
    vi.mocked(backend.userDetail).mockRejectedValue(backendError({ type: 'database', data: { message: 'socket closed', details: 'driver: socket closed' } }));
    vi.mocked(backend.userNotifications).mockReturnValue(new Promise(() => {}));
    vi.mocked(backend.userPluginData).mockImplementation(async (_id, collection) => {
      if (collection === 'crm_contacts') throw backendError({ type: 'unsupported', data: { feature: 'crm_contacts', message: 'not per-user' } });
      return somePluginData(collection);
    });
    render360();
    expect(await screen.findByTestId('profile-error')).toHaveTextContent('Database error');
    expect(screen.getByTestId('profile-error')).toHaveTextContent('Socket closed.');
    expect(await screen.findByTestId('notification-prefs')).toBeInTheDocument();
    expect(screen.getByTestId('pref-email-enabled')).toBeChecked();
    expect(await screen.findByTestId('plugin-data-error')).toHaveTextContent('Not supported by this server');
    expect(await screen.findByTestId('plugin-document')).toHaveTextContent('Task 1');
    expect(screen.getByTestId('notifications-loading')).toBeInTheDocument();

    vi.mocked(backend.userDetail).mockResolvedValue(aUserDetail());
    await act(async () => within(screen.getByTestId('profile-error')).getByRole('button', { name: 'Try again' }).click());
    expect(await screen.findByTestId('profile')).toHaveTextContent('Ada Lovelace');
  });

  it('says only whether a password is set, never anything about it', async () => {
    // Even if a hash reached the UI by mistake, it must not be shown.
    vi.mocked(backend.userDetail).mockResolvedValue({ ...aUserDetail(), password_hash: '$2b$12$secret' } as never);
    const { unmount } = render360();
    const state = await screen.findByTestId('password-state');
    expect(state).toHaveTextContent(/^Password set$/);
    expect(document.body).not.toHaveTextContent('$2b$');
    unmount();

    vi.mocked(backend.userDetail).mockResolvedValue(aUserDetail({ password_set: false }));
    render360();
    expect(await screen.findByTestId('password-state')).toHaveTextContent(/^No password$/);
  });

  it('shows roles, the subscription countdown and an initials avatar instead of the remote image', async () => {
    vi.mocked(backend.userDetail).mockResolvedValue(aUserDetail({ expires_at: '2020-01-01T00:00:00Z' }));
    render360();
    const profile = await screen.findByTestId('profile');
    expect(within(profile).getAllByTestId('role-badge').map((b) => b.textContent)).toEqual(['user', 'admin']);
    expect(within(profile).getByTestId('expiry')).toHaveTextContent(/^expired [\d,]+ days ago$/);
    expect(within(profile).getByText('AL')).toBeInTheDocument();
    expect(profile.querySelector('img')).toBeNull();
  });

  it('saves notification preferences with the value they were loaded with as `expected`', async () => {
    const saved = aUserSettings({
      notification_preferences: { email_enabled: false, push_enabled: false, digest_frequency: 'monthly' },
      notification_preferences_json: '{"email_enabled":false,"push_enabled":false,"digest_frequency":"monthly"}',
    });
    vi.mocked(backend.saveNotificationPreferences).mockResolvedValue(saved);
    const { user } = render360();
    await screen.findByTestId('notification-prefs');
    expect(screen.getByTestId('pref-save')).toBeDisabled();

    await user.click(screen.getByTestId('pref-email-enabled'));
    await user.click(screen.getByTestId('pref-digest'));
    await user.click(await screen.findByRole('option', { name: 'monthly' }));
    await user.click(screen.getByTestId('pref-save'));

    await waitFor(() =>
      expect(backend.saveNotificationPreferences).toHaveBeenCalledWith(
        USER_ID,
        { email_enabled: false, push_enabled: false, digest_frequency: 'monthly' },
        PREFS_JSON,
      ),
    );
    expect(await screen.findByTestId('pref-saved')).toHaveTextContent('Saved');
    expect(screen.getByTestId('pref-email-enabled')).not.toBeChecked();
    expect(screen.getByTestId('pref-digest')).toHaveValue('monthly');

    // The badge stays until the form is edited again.
    await user.click(screen.getByTestId('pref-push-enabled'));
    expect(screen.queryByTestId('pref-saved')).not.toBeInTheDocument();
  });

  it('on a conflict shows what is stored now, saves nothing more, and reloads on request', async () => {
    const current = '{"email_enabled":false,"push_enabled":true,"digest_frequency":"daily"}';
    vi.mocked(backend.saveNotificationPreferences).mockRejectedValue(backendError({ type: 'conflict', data: { current } }));
    const { user } = render360();
    await screen.findByTestId('notification-prefs');
    await user.click(screen.getByTestId('pref-email-enabled'));
    await user.click(screen.getByTestId('pref-save'));

    const modal = await screen.findByTestId('conflict-modal');
    expect(modal).toHaveTextContent('nothing was overwritten');
    expect(within(modal).getByTestId('conflict-current')).toHaveTextContent('"push_enabled": true');
    expect(within(modal).getByTestId('conflict-current')).toHaveTextContent('"digest_frequency": "daily"');
    expect(screen.getByText('Changed elsewhere')).toBeInTheDocument();
    expect(backend.saveNotificationPreferences).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId('pref-saved')).not.toBeInTheDocument();

    vi.mocked(backend.userSettings).mockResolvedValue(
      aUserSettings({
        notification_preferences: { email_enabled: false, push_enabled: true, digest_frequency: 'daily' },
        notification_preferences_json: current,
      }),
    );
    await user.click(within(modal).getByTestId('conflict-reload'));
    await waitFor(() => expect(screen.queryByTestId('conflict-modal')).not.toBeInTheDocument());
    await waitFor(() => expect(screen.getByTestId('pref-push-enabled')).toBeChecked());
    expect(screen.getByTestId('pref-digest')).toHaveValue('daily');
    expect(backend.userSettings).toHaveBeenCalledTimes(2);
    expect(backend.saveNotificationPreferences).toHaveBeenCalledTimes(1);
  });

  it('without a settings document says so and still saves, expecting nothing', async () => {
    vi.mocked(backend.userSettings).mockResolvedValue(
      aUserSettings({ exists: false, notification_preferences: null, notification_preferences_json: null, plugins: [] }),
    );
    vi.mocked(backend.saveNotificationPreferences).mockResolvedValue(aUserSettings());
    const { user } = render360();
    expect(await screen.findByTestId('prefs-no-settings')).toHaveTextContent('no settings document');
    expect(screen.getByTestId('plugin-settings-empty')).toBeInTheDocument();
    await user.click(screen.getByTestId('pref-save'));
    await waitFor(() =>
      expect(backend.saveNotificationPreferences).toHaveBeenCalledWith(
        USER_ID,
        { email_enabled: true, push_enabled: false, digest_frequency: 'weekly' },
        null,
      ),
    );
  });

  it('plugin JSON that does not parse, or is not an object, cannot be saved', async () => {
    const { user } = render360();
    await screen.findAllByTestId('plugin-settings');
    const card = pluginCard('notes');
    expect(within(card).getByTestId('plugin-review')).toHaveAttribute('aria-disabled', 'true');

    setEditorText(card, '{"theme": "dark",}');
    expect(await within(card).findByTestId('plugin-json-problem')).toHaveTextContent('Not valid JSON');
    expect(within(card).getByTestId('plugin-review')).toHaveAttribute('aria-disabled', 'true');
    await user.click(within(card).getByTestId('plugin-review'));
    expect(screen.queryByTestId('plugin-review-modal')).not.toBeInTheDocument();

    setEditorText(card, '["dark"]');
    expect(await within(card).findByTestId('plugin-json-problem')).toHaveTextContent('must be a JSON object');
    await user.click(within(card).getByTestId('plugin-review'));
    expect(screen.queryByTestId('plugin-review-modal')).not.toBeInTheDocument();
    expect(backend.savePluginSettings).not.toHaveBeenCalled();
  });

  it('reviews a plugin edit as a diff, then saves it expecting the loaded JSON', async () => {
    vi.mocked(backend.savePluginSettings).mockResolvedValue(
      aUserSettings({ plugins: [{ plugin: 'notes', json: '{"theme":"dark","font_size":14}' }] }),
    );
    const { user } = render360();
    await screen.findAllByTestId('plugin-settings');
    const card = pluginCard('notes');
    expect(editorViewOf(within(card).getByTestId('plugin-editor'))!.state.doc.toString()).toBe('{\n  "theme": "light"\n}');

    const edited = '{\n  "theme": "dark",\n  "font_size": 14\n}';
    setEditorText(card, edited);
    await user.click(within(card).getByTestId('plugin-review'));
    const modal = await screen.findByTestId('plugin-review-modal');
    expect(within(modal).getAllByTestId('diff-removed').map((l) => l.textContent)).toEqual(['2−  "theme": "light"']);
    expect(within(modal).getAllByTestId('diff-added').map((l) => l.textContent)).toEqual([
      '2+  "theme": "dark",',
      '3+  "font_size": 14',
    ]);

    await user.click(within(modal).getByTestId('plugin-save'));
    await waitFor(() => expect(backend.savePluginSettings).toHaveBeenCalledWith(USER_ID, 'notes', edited, NOTES_JSON));
    await waitFor(() => expect(screen.queryByTestId('plugin-review-modal')).not.toBeInTheDocument());
  });

  it('shows the backend’s verdict on plugin JSON in the review', async () => {
    vi.mocked(backend.savePluginSettings).mockRejectedValue(
      backendError({ type: 'invalid_input', data: { field: 'json', message: 'key "$set" may not be empty, start with $ or contain a dot' } }),
    );
    const { user } = render360();
    await screen.findAllByTestId('plugin-settings');
    const card = pluginCard('notes');
    setEditorText(card, '{"$set": {"theme": "dark"}}');
    await user.click(within(card).getByTestId('plugin-review'));
    await user.click(await screen.findByTestId('plugin-save'));
    const error = await screen.findByTestId('plugin-save-error');
    expect(error).toHaveTextContent('Invalid plugin settings');
    expect(error).toHaveTextContent('key "$set" may not be empty, start with $ or contain a dot');
  });

  it('adds settings for a new plugin, expecting none stored', async () => {
    vi.mocked(backend.savePluginSettings).mockResolvedValue(aUserSettings());
    const { user } = render360();
    await screen.findAllByTestId('plugin-settings');
    await user.click(screen.getByTestId('plugin-add'));
    await user.type(await screen.findByTestId('plugin-add-name'), 'notes');
    expect(screen.getByTestId('plugin-add-confirm')).toBeDisabled();
    await user.clear(screen.getByTestId('plugin-add-name'));
    await user.type(screen.getByTestId('plugin-add-name'), 'crm');
    await user.click(screen.getByTestId('plugin-add-confirm'));

    const card = pluginCard('crm');
    setEditorText(card, '{"pipeline": "default"}');
    await user.click(within(card).getByTestId('plugin-review'));
    const modal = await screen.findByTestId('plugin-review-modal');
    expect(within(modal).getAllByTestId('diff-added')).toHaveLength(1);
    expect(within(modal).queryAllByTestId('diff-removed')).toHaveLength(0);
    await user.click(within(modal).getByTestId('plugin-save'));
    await waitFor(() => expect(backend.savePluginSettings).toHaveBeenCalledWith(USER_ID, 'crm', '{"pipeline": "default"}', null));
  });

  it('shows "N unread of M" and pages the notifications', async () => {
    const { user } = render360();
    expect(await screen.findByTestId('notifications-summary')).toHaveTextContent('7 unread of 40');
    expect(screen.getAllByTestId('notification-row')).toHaveLength(2);
    await user.click(screen.getByTestId('notifications-next'));
    await waitFor(() => expect(backend.userNotifications).toHaveBeenCalledWith(USER_ID, 1, 25));
  });

  it("marks and deletes the user's selected notifications", async () => {
    vi.mocked(backend.markNotifications).mockResolvedValue({ matched: 2, modified: 1 });
    vi.mocked(backend.deleteNotifications).mockResolvedValue({ matched: 1, modified: 1 });
    const { user } = render360();
    await screen.findByTestId('notifications-table');
    await user.click(screen.getByTestId('notifications-select-all'));
    await user.click(screen.getByTestId('feed-mark-unread'));
    await waitFor(() =>
      expect(backend.markNotifications).toHaveBeenCalledWith(
        [
          { user_id: USER_ID, id: 'n1' },
          { user_id: USER_ID, id: 'n2' },
        ],
        false,
      ),
    );
    expect(await screen.findByText('2 matched, 1 modified')).toBeInTheDocument();
    await waitFor(() => expect(backend.userNotifications).toHaveBeenCalledTimes(2));

    const n2 = screen.getAllByTestId('notification-row').find((r) => r.dataset.id === 'n2')!;
    await user.click(within(n2).getByTestId('notification-select'));
    await user.click(screen.getByTestId('feed-delete'));
    await user.click(await screen.findByTestId('feed-delete-confirm'));
    await waitFor(() => expect(backend.deleteNotifications).toHaveBeenCalledWith([{ user_id: USER_ID, id: 'n2' }]));
  });

  it('warns about documents that store the user id as an ObjectId', async () => {
    vi.mocked(backend.userPluginData).mockImplementation(async (_id, collection) =>
      somePluginData(collection, { object_id_typed: collection === 'crm_contacts' ? 3 : 0 }),
    );
    render360();
    const finding = await screen.findByTestId('object-id-finding');
    expect(finding).toHaveTextContent('3 documents store this user’s id as an ObjectId instead of a string (data finding; not shown)');
    expect(screen.getAllByTestId('object-id-finding')).toHaveLength(1);
  });

  it('erases only after the exact email is typed, then shows what was deleted', async () => {
    vi.mocked(backend.erasePlan).mockResolvedValue(anErasePlan());
    vi.mocked(backend.eraseUser).mockResolvedValue(anErasePlan({ collections: [{ collection: 'notifications', count: 41 }, { collection: 'users', count: 1 }] }));
    const { user, onErased } = render360();
    await screen.findByTestId('profile');
    await user.click(screen.getByTestId('user-actions'));
    await user.click(await screen.findByTestId('action-erase'));

    const modal = await screen.findByTestId('erase-modal');
    expect(backend.erasePlan).toHaveBeenCalledWith(USER_ID);
    expect(within(modal).getByTestId('erase-plan-total')).toHaveTextContent('48');
    const confirm = within(modal).getByTestId('erase-confirm');
    const input = within(modal).getByTestId('erase-confirm-input');
    expect(confirm).toBeDisabled();
    await user.type(input, 'ada.lovelace@example.co');
    expect(confirm).toBeDisabled();
    await user.clear(input);
    await user.type(input, 'ADA.LOVELACE@EXAMPLE.COM');
    expect(confirm).toBeDisabled();
    await user.clear(input);
    await user.type(input, 'ada.lovelace@example.com');
    expect(confirm).toBeEnabled();
    expect(backend.eraseUser).not.toHaveBeenCalled();

    await user.click(confirm);
    await waitFor(() => expect(backend.eraseUser).toHaveBeenCalledWith(USER_ID, 'ada.lovelace@example.com'));
    const done = await screen.findByTestId('erase-done');
    expect(within(done).getByTestId('erase-deleted-total')).toHaveTextContent('42');
    await user.click(within(done).getByTestId('erase-back'));
    expect(onErased).toHaveBeenCalled();
  });

  it('exports through the save dialog with progress', async () => {
    vi.mocked(backend.chooseExportPath).mockResolvedValue('/tmp/ada_lovelace-export.json');
    let report!: (p: ExportProgress) => void;
    let finish!: () => void;
    vi.mocked(backend.exportUser).mockImplementation(
      (_id, path, onProgress) =>
        new Promise((resolve) => {
          report = onProgress;
          finish = () => resolve({ path, collections: [{ collection: 'settings', count: 1 }, { collection: 'notifications', count: 40 }] });
        }),
    );
    const { user } = render360();
    await screen.findByTestId('profile');
    await user.click(screen.getByTestId('user-actions'));
    await user.click(await screen.findByTestId('action-export'));

    await waitFor(() => expect(backend.chooseExportPath).toHaveBeenCalledWith('ada_lovelace-export.json'));
    await waitFor(() => expect(backend.exportUser).toHaveBeenCalledWith(USER_ID, '/tmp/ada_lovelace-export.json', expect.any(Function)));
    act(() => report({ collection: 'settings', documents: 1 }));
    expect(await screen.findByTestId('export-collections')).toHaveTextContent('settings');
    act(() => finish());
    expect(await screen.findByTestId('export-done')).toHaveTextContent('41 documents');
  });

  it('does nothing when the save dialog is cancelled', async () => {
    vi.mocked(backend.chooseExportPath).mockResolvedValue(null);
    const { user } = render360();
    await screen.findByTestId('profile');
    await user.click(screen.getByTestId('user-actions'));
    await user.click(await screen.findByTestId('action-export'));
    await waitFor(() => expect(backend.chooseExportPath).toHaveBeenCalled());
    expect(backend.exportUser).not.toHaveBeenCalled();
    expect(screen.queryByTestId('export-modal')).not.toBeInTheDocument();
  });

  it('refuses erase and edits on a read-only connection', async () => {
    const { user } = render360(anOverview({ read_only: true }));
    await screen.findByTestId('profile');
    await user.click(screen.getByTestId('user-actions'));
    const eraseItem = await screen.findByTestId('action-erase');
    expect(eraseItem).toHaveAttribute('aria-disabled', 'true');
    await user.click(eraseItem);
    expect(backend.erasePlan).not.toHaveBeenCalled();
    expect(screen.queryByTestId('erase-modal')).not.toBeInTheDocument();

    expect(screen.getByTestId('profile-edit')).toHaveAttribute('aria-disabled', 'true');
    expect(screen.getByTestId('pref-save')).toHaveAttribute('aria-disabled', 'true');
    expect(screen.getByTestId('plugin-add')).toHaveAttribute('aria-disabled', 'true');
    expect(screen.getByTestId('pref-email-enabled')).toBeDisabled();
    expect(screen.getByTestId('user360-read-only')).toHaveTextContent('Read-only connection');
  });

  it('still exports on a read-only connection: export only reads', async () => {
    vi.mocked(backend.chooseExportPath).mockResolvedValue('/tmp/ada_lovelace-export.json');
    vi.mocked(backend.exportUser).mockResolvedValue({ path: '/tmp/ada_lovelace-export.json', collections: [] });
    const { user } = render360(anOverview({ read_only: true }));
    await screen.findByTestId('profile');
    await user.click(screen.getByTestId('user-actions'));
    const exportItem = await screen.findByTestId('action-export');
    expect(exportItem).not.toHaveAttribute('aria-disabled');
    await user.click(exportItem);
    await waitFor(() => expect(backend.exportUser).toHaveBeenCalledWith(USER_ID, '/tmp/ada_lovelace-export.json', expect.any(Function)));
    expect(await screen.findByTestId('export-done')).toBeInTheDocument();
  });

  it('shows a read_only refusal from the backend the way describeError words it', async () => {
    vi.mocked(backend.saveNotificationPreferences).mockRejectedValue(backendError({ type: 'read_only' }));
    const { user } = render360();
    await screen.findByTestId('notification-prefs');
    await user.click(screen.getByTestId('pref-email-enabled'));
    await user.click(screen.getByTestId('pref-save'));
    const error = await screen.findByTestId('prefs-save-error');
    expect(error).toHaveTextContent('Read-only connection');
    expect(error).toHaveTextContent('Turn read-only off on the Overview first.');
  });

  it('edits the profile and shows last_superadmin and field errors in the form', async () => {
    vi.mocked(backend.userDetail).mockResolvedValue(aUserDetail({ roles: ['user', 'superadmin'] }));
    vi.mocked(backend.updateUser).mockRejectedValueOnce(backendError({ type: 'last_superadmin' }));
    const { user } = render360();
    await screen.findByTestId('profile');
    await user.click(screen.getByTestId('profile-edit'));
    const form = await screen.findByTestId('edit-user-form');
    // Remove the superadmin role: the last pill's remove button.
    const pills = form.querySelectorAll('.mantine-Pill-remove');
    await user.click(pills[pills.length - 1] as HTMLElement);
    await user.click(within(form).getByTestId('edit-save'));
    await waitFor(() =>
      expect(backend.updateUser).toHaveBeenCalledWith(USER_ID, {
        roles: ['user'],
        tier: 'premium',
        expires_at: '2099-01-01T00:00:00Z',
        display_name: 'Ada Lovelace',
        bio: 'First programmer.',
        version: 'v1',
      }),
    );
    expect(await within(form).findByTestId('edit-last-superadmin')).toHaveTextContent('only superadmin left');

    vi.mocked(backend.updateUser).mockRejectedValueOnce(
      backendError({ type: 'invalid_input', data: { field: 'display_name', message: 'at most 100 characters' } }),
    );
    await user.click(within(form).getByTestId('edit-save'));
    expect(await within(form).findByText('at most 100 characters')).toBeInTheDocument();
    expect(within(form).getByTestId('edit-display-name')).toHaveAttribute('aria-invalid', 'true');
  });

  it('on a conflict says so, reloads the user and restarts the form from the current values', async () => {
    const current = aUserDetail({ display_name: 'Changed Elsewhere', version: 'v2' });
    vi.mocked(backend.updateUser).mockRejectedValueOnce(backendError({ type: 'conflict', data: { current: JSON.stringify(current) } }));
    const { user } = render360();
    await screen.findByTestId('profile');
    await user.click(screen.getByTestId('profile-edit'));
    const name = await screen.findByTestId('edit-display-name');
    await user.clear(name);
    await user.type(name, 'Mine');
    const detailCalls = vi.mocked(backend.userDetail).mock.calls.length;
    vi.mocked(backend.userDetail).mockResolvedValue(current);
    await user.click(screen.getByTestId('edit-save'));
    expect(await screen.findByTestId('edit-conflict')).toHaveTextContent('nothing was saved');
    expect(backend.updateUser).toHaveBeenCalledWith(USER_ID, expect.objectContaining({ display_name: 'Mine', version: 'v1' }));
    await waitFor(() => expect(screen.getByTestId('edit-display-name')).toHaveValue('Changed Elsewhere'));
    await waitFor(() => expect(vi.mocked(backend.userDetail).mock.calls.length).toBeGreaterThan(detailCalls));
  });

  it('saves a profile edit, refreshes the profile and says so', async () => {
    vi.mocked(backend.updateUser).mockResolvedValue(aUserDetail({ display_name: 'Countess Lovelace' }));
    const { user } = render360();
    await screen.findByTestId('profile');
    await user.click(screen.getByTestId('profile-edit'));
    const name = await screen.findByTestId('edit-display-name');
    await user.clear(name);
    await user.type(name, 'Countess Lovelace');
    vi.mocked(backend.userDetail).mockResolvedValue(aUserDetail({ display_name: 'Countess Lovelace' }));
    await user.click(screen.getByTestId('edit-save'));
    await waitFor(() => expect(backend.updateUser).toHaveBeenCalledWith(USER_ID, expect.objectContaining({ display_name: 'Countess Lovelace' })));
    await waitFor(() => expect(screen.getByTestId('profile-name')).toHaveTextContent('Countess Lovelace'));
    expect(screen.queryByTestId('edit-user-form')).not.toBeInTheDocument();
    expect(await screen.findByText('User updated')).toBeInTheDocument();
  });
});
