import { act, screen, waitFor, within } from '@testing-library/react';
import { useState } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as backend from '../../backend';
import type { BrowsedDatabase } from '../../backend';
import { editorViewOf } from '../../components/JsonEditor';
import { BackendError } from '../../errors';
import { queryKeys } from '../../queries';
import { anOverview } from '../../test/fixtures';
import { renderWithProviders } from '../../test/render';
import type { Place } from '../../navigation';
import { CollectionsScreen } from './CollectionsScreen';

vi.mock('../../backend');

const USER = '65a1b2c3d4e5f60718293b01';

const DATABASES: BrowsedDatabase[] = [
  {
    which: 'core',
    name: 'MozaiksCore',
    writable: true,
    error: null,
    collections: [
      { name: 'crm_contacts', is_view: false, estimated_count: 1200, per_user: true, kind: 'plugin', not_editable: null },
      { name: 'users', is_view: false, estimated_count: 40, per_user: false, kind: 'core', not_editable: 'users documents are changed only through the user screens' },
    ],
  },
  {
    which: 'ai',
    name: 'MozaiksAI',
    writable: false,
    error: null,
    collections: [{ name: 'chat_sessions', is_view: false, estimated_count: 3, per_user: false, kind: 'other', not_editable: 'this profile keeps MozaiksAI and MozaiksDB read-only' }],
  },
  { which: 'shared', name: 'MozaiksDB', writable: false, error: null, collections: [] },
];

const DOCS = [
  `{"_id":{"$oid":"65a1b2c3d4e5f60718293a05"},"user_id":"${USER}","visits":{"$numberLong":"7"},"score":{"$numberDouble":"1.0"},"at":{"$date":{"$numberLong":"0"}}}`,
  '{"_id":{"$oid":"65a1b2c3d4e5f60718293a04"},"title":"Report","tags":["a","b"]}',
];

function Harness({ onOpenUser }: { onOpenUser: (id: string) => void }) {
  const [place, setPlace] = useState<Place | null>(null);
  return <CollectionsScreen place={place} onBrowse={setPlace} onOpenUser={onOpenUser} />;
}

async function openCollection(name: string, onOpenUser = vi.fn()) {
  const r = renderWithProviders(<Harness onOpenUser={onOpenUser} />);
  act(() => r.client.setQueryData(queryKeys.overview, anOverview({ read_only: false })));
  const item = (await screen.findAllByTestId('browse-collection')).find((c) => c.dataset.collection === name)!;
  await r.user.click(item);
  await screen.findAllByTestId('query-row');
  return r;
}

const openContacts = (onOpenUser = vi.fn()) => openCollection('crm_contacts', onOpenUser);

/** Replaces the open editor's text, as typing would. */
function typeInEditor(testId: string, text: string) {
  const view = editorViewOf(screen.getByTestId(testId))!;
  act(() => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }));
}

describe('CollectionsScreen', () => {
  beforeEach(() => {
    vi.mocked(backend.browseDatabases).mockResolvedValue(DATABASES);
    vi.mocked(backend.runQuery).mockResolvedValue({ documents: DOCS, limit: 50, skip: 0, more: false });
    vi.mocked(backend.countQuery).mockResolvedValue({ value: 2, exact: true });
    // The editor opens the whole document by its _id.
    vi.mocked(backend.sampleFields).mockResolvedValue([
      { path: 'visits', types: ['long'], presence: 100 },
      { path: 'tags', types: ['array'], presence: 50 },
      { path: 'tags[]', types: ['string'], presence: 50 },
    ]);
    vi.mocked(backend.openDocument).mockImplementation(async (_db, _coll, id) => DOCS.find((d) => d.startsWith(`{"_id":${id}`))!);
  });

  it('lists the three databases by name, with their collections and whether they are writable', async () => {
    renderWithProviders(<Harness onOpenUser={vi.fn()} />);
    const ai = await screen.findByTestId('database-ai');
    expect(ai).toHaveTextContent('MozaiksAI');
    expect(ai).toHaveTextContent('read-only');
    expect(ai).toHaveTextContent('chat_sessions');
    expect(screen.getByTestId('database-core')).toHaveTextContent('writable');
    expect(screen.getByTestId('database-shared')).toHaveTextContent('no collections');
  });

  it('shows the page in shell form, newest first, with its count apart', async () => {
    const onOpenUser = vi.fn();
    const { user } = await openContacts(onOpenUser);
    expect(backend.runQuery).toHaveBeenCalledWith('core', 'crm_contacts', { filter: '', projection: '', sort: '', limit: 50, skip: 0 });
    expect(screen.getByTestId('browse-count')).toHaveTextContent('2 documents');
    const [first, second] = screen.getAllByTestId('query-row');
    expect(first).toHaveTextContent('ObjectId("65a1b2c3d4e5f60718293a05")');
    expect(first).toHaveTextContent('NumberLong("7")');
    expect(first).toHaveTextContent('1.0');
    expect(first).toHaveTextContent('ISODate("1970-01-01T00:00:00.000Z")');
    expect(second).toHaveTextContent('[ 2 ]');
    await user.click(within(first).getByTestId('query-user-link'));
    expect(onOpenUser).toHaveBeenCalledWith(USER);
    await user.click(screen.getByRole('radio', { name: 'JSON' }));
    expect(screen.getAllByTestId('query-json-document')[0]).toHaveTextContent('"visits": NumberLong("7")');
  });

  it('sends shell syntax as canonical Extended JSON', async () => {
    const { user } = await openContacts();
    await user.type(screen.getByTestId('query-filter'), '{{visits: NumberLong("7"), _id: {{$lt: ObjectId("65a1b2c3d4e5f60718293a06")}}');
    await user.type(screen.getByTestId('query-sort'), '{{visits: -1}');
    await user.click(screen.getByTestId('query-run'));
    await waitFor(() =>
      expect(backend.runQuery).toHaveBeenLastCalledWith('core', 'crm_contacts', {
        filter: '{"visits":{"$numberLong":"7"},"_id":{"$lt":{"$oid":"65a1b2c3d4e5f60718293a06"}}}',
        projection: '',
        sort: '{"visits":{"$numberInt":"-1"}}',
        limit: 50,
        skip: 0,
      }),
    );
  });

  it('says what cannot be read under the part it is in, without asking the backend', async () => {
    const { user } = await openContacts();
    const calls = vi.mocked(backend.runQuery).mock.calls.length;
    await user.type(screen.getByTestId('query-projection'), '{{a: 1');
    await user.click(screen.getByTestId('query-run'));
    expect(await screen.findByText(/Not a query document/)).toBeInTheDocument();
    expect(screen.getByTestId('query-projection')).toHaveAttribute('aria-invalid', 'true');
    expect(vi.mocked(backend.runQuery).mock.calls.length).toBe(calls);
  });

  it("shows the backend's refusal under the part it names", async () => {
    const { user } = await openContacts();
    vi.mocked(backend.runQuery).mockRejectedValue(
      new BackendError({ type: 'operator_refused', data: { part: 'filter', operator: '$where' } }),
    );
    await user.type(screen.getByTestId('query-filter'), '{{$where: "1"}');
    await user.click(screen.getByTestId('query-run'));
    expect(await screen.findByText(/\$where runs code or writes/)).toBeInTheDocument();
    expect(screen.getByTestId('query-filter')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.queryByTestId('error-alert')).not.toBeInTheDocument();
  });

  it('opens a row as canonical Extended JSON and saves the edit against the document as opened', async () => {
    const { user } = await openContacts();
    vi.mocked(backend.saveDocument).mockResolvedValue({ outcome: 'saved', document: DOCS[0], changed: ['visits'], audit_warning: null });
    await user.click(screen.getAllByTestId('query-row')[0]);
    const editor = await screen.findByTestId('document-json');
    expect(backend.openDocument).toHaveBeenCalledWith('core', 'crm_contacts', '{"$oid":"65a1b2c3d4e5f60718293a05"}');
    const opened = editorViewOf(editor)!.state.doc.toString();
    expect(opened).toContain('"visits": {\n    "$numberLong": "7"\n  }');
    expect(opened).toContain('"$numberDouble": "1.0"');
    const edited = opened.replace('"$numberLong": "7"', '"$numberLong": "8"');
    typeInEditor('document-json', edited);
    await user.click(screen.getByTestId('document-review-button'));
    expect(screen.getByTestId('document-review')).toHaveTextContent('"$numberLong": "8"');
    await user.click(screen.getByTestId('document-save'));
    await waitFor(() => expect(backend.saveDocument).toHaveBeenCalledWith('core', 'crm_contacts', DOCS[0], edited));
    await waitFor(() => expect(screen.queryByTestId('document-editor')).not.toBeInTheDocument());
  });

  it('shows a conflict with both versions, and saves over theirs only after a second review', async () => {
    const { user } = await openContacts();
    const theirs = DOCS[0].replace('"7"', '"9"');
    vi.mocked(backend.saveDocument).mockRejectedValueOnce(new BackendError({ type: 'conflict', data: { current: theirs } }));
    await user.click(screen.getAllByTestId('query-row')[0]);
    const opened = editorViewOf(await screen.findByTestId('document-json'))!.state.doc.toString();
    const mine = opened.replace('"$numberLong": "7"', '"$numberLong": "8"');
    typeInEditor('document-json', mine);
    await user.click(screen.getByTestId('document-review-button'));
    await user.click(screen.getByTestId('document-save'));
    const conflict = await screen.findByTestId('document-conflict');
    // Theirs beside mine, as a diff: their 9 removed, my 8 added.
    expect(within(conflict).getByTestId('document-conflict-diff')).toHaveTextContent('"$numberLong": "9"');
    expect(within(conflict).getByTestId('document-conflict-diff')).toHaveTextContent('"$numberLong": "8"');
    expect(screen.queryByTestId('document-error')).not.toBeInTheDocument();

    vi.mocked(backend.saveDocument).mockResolvedValue({ outcome: 'saved', document: theirs, changed: ['visits'], audit_warning: null });
    await user.click(screen.getByTestId('document-keep-mine'));
    // The review now shows what mine overwrites: theirs.
    expect(screen.getByTestId('document-review')).toHaveTextContent('"$numberLong": "9"');
    await user.click(screen.getByTestId('document-save'));
    await waitFor(() => expect(backend.saveDocument).toHaveBeenLastCalledWith('core', 'crm_contacts', theirs, mine));
  });

  it('keeps theirs when asked, and deletes only after a confirmation', async () => {
    const { user } = await openContacts();
    const theirs = DOCS[0].replace('"7"', '"9"');
    vi.mocked(backend.saveDocument).mockRejectedValueOnce(new BackendError({ type: 'conflict', data: { current: theirs } }));
    await user.click(screen.getAllByTestId('query-row')[0]);
    const opened = editorViewOf(await screen.findByTestId('document-json'))!.state.doc.toString();
    typeInEditor('document-json', opened.replace('"7"', '"8"'));
    await user.click(screen.getByTestId('document-review-button'));
    await user.click(screen.getByTestId('document-save'));
    await user.click(await screen.findByTestId('document-take-theirs'));
    expect(editorViewOf(screen.getByTestId('document-json'))!.state.doc.toString()).toContain('"$numberLong": "9"');

    vi.mocked(backend.deleteDocument).mockResolvedValue(null);
    await user.click(screen.getByTestId('document-delete'));
    expect(backend.deleteDocument).not.toHaveBeenCalled();
    await user.click(screen.getByTestId('document-delete-yes'));
    await waitFor(() => expect(backend.deleteDocument).toHaveBeenCalledWith('core', 'crm_contacts', theirs));
  });

  it('opens documents read-only where the backend says they are not edited', async () => {
    const { user } = await openCollection('users');
    expect(screen.getByTestId('document-insert')).toHaveAttribute('data-disabled', 'true');
    await user.click(screen.getAllByTestId('query-row')[1]);
    expect(await screen.findByTestId('document-not-editable')).toHaveTextContent('users documents are changed only through the user screens');
    expect(screen.queryByTestId('document-review-button')).not.toBeInTheDocument();
  });

  it('finds an ObjectId in every collection of the database and opens a hit on that document', async () => {
    const { user } = await openContacts();
    vi.mocked(backend.findId).mockResolvedValue({
      found: [{ collection: 'users', document: `{"_id":{"$oid":"${USER}"},"email":"a@b.c"}` }],
      searched: 2,
      failed: [],
    });
    const first = screen.getAllByTestId('query-row')[0];
    await user.click(within(first).getAllByTestId('query-find-id')[0]);
    expect(backend.findId).toHaveBeenCalledWith('core', '65a1b2c3d4e5f60718293a05');
    expect(screen.queryByTestId('document-editor')).not.toBeInTheDocument();
    expect(await screen.findByTestId('find-id-summary')).toHaveTextContent('Found in 1 of the 2 collections of MozaiksCore');
    await user.click(screen.getByTestId('find-id-open'));
    await waitFor(() =>
      expect(backend.runQuery).toHaveBeenLastCalledWith('core', 'users', {
        filter: '{"_id":{"$oid":"65a1b2c3d4e5f60718293a05"}}',
        projection: '',
        sort: '',
        limit: 50,
        skip: 0,
      }),
    );
    expect(screen.getByTestId('query-filter')).toHaveValue('{"_id":{"$oid":"65a1b2c3d4e5f60718293a05"}}');
  });

  it('exports every match of the query shown, to the path the save dialog chose', async () => {
    const { user } = await openContacts();
    vi.mocked(backend.chooseTableExportPath).mockResolvedValue('/home/me/contacts.csv');
    vi.mocked(backend.exportQuery).mockResolvedValue({ path: '/home/me/contacts.csv', documents: 2, cancelled: false });
    await user.type(screen.getByTestId('query-filter'), '{{visits: NumberLong("7")}');
    await user.click(screen.getByTestId('query-run'));
    await user.click(screen.getByTestId('export-menu'));
    await user.click(await screen.findByTestId('export-csv'));
    await waitFor(() => expect(backend.exportQuery).toHaveBeenCalled());
    const [database, collection, query, target] = vi.mocked(backend.exportQuery).mock.calls[0];
    expect([database, collection, target.format, target.path]).toEqual(['core', 'crm_contacts', 'csv', '/home/me/contacts.csv']);
    expect(query.filter).toBe('{"visits":{"$numberLong":"7"}}');
    expect(target.run_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await screen.findByText(/2 documents to \/home\/me\/contacts.csv/)).toBeInTheDocument();
  });

  it('explains the query shown, and says plainly when the server cannot', async () => {
    const { user } = await openContacts();
    vi.mocked(backend.explainQuery).mockResolvedValueOnce({
      stages: ['SORT', 'COLLSCAN'], indexes: [], collection_scan: true, returned: 2, keys_examined: 0, documents_examined: 1200, time_ms: 14,
    });
    await user.click(screen.getByTestId('query-explain'));
    const summary = await screen.findByTestId('explain-summary');
    expect(summary).toHaveTextContent('collection scan: reads every document');
    expect(summary).toHaveTextContent('SORT → COLLSCAN');
    expect(summary).toHaveTextContent('2 returned · 0 keys and 1,200 documents examined · 14 ms');
    await user.click(screen.getByTestId('query-explain'));
    vi.mocked(backend.explainQuery).mockRejectedValueOnce(
      new BackendError({ type: 'unsupported', data: { feature: 'CommandNotFound', message: "no such command: 'explain'" } }),
    );
    await user.type(screen.getByTestId('query-filter'), '{{a: 1}');
    await user.click(screen.getByTestId('query-run'));
    await user.click(screen.getByTestId('query-explain'));
    expect(await screen.findByTestId('explain-unsupported')).toHaveTextContent("no such command: 'explain'");
  });

  it('turns the page of the query that ran, not of what the bar holds since', async () => {
    const { user } = await openContacts();
    vi.mocked(backend.runQuery).mockResolvedValue({ documents: DOCS, limit: 50, skip: 0, more: true });
    await user.type(screen.getByTestId('query-filter'), '{{a: 1}');
    await user.click(screen.getByTestId('query-run'));
    await waitFor(() => expect(backend.runQuery).toHaveBeenLastCalledWith('core', 'crm_contacts', expect.objectContaining({ filter: '{"a":{"$numberInt":"1"}}' })));
    await user.clear(screen.getByTestId('query-filter'));
    await user.type(screen.getByTestId('query-filter'), '{{b: 2}');
    await user.click(await screen.findByTestId('query-next'));
    await waitFor(() =>
      expect(backend.runQuery).toHaveBeenLastCalledWith('core', 'crm_contacts', expect.objectContaining({ filter: '{"a":{"$numberInt":"1"}}', skip: 50 })),
    );
  });

  it('puts a sampled field, an operator or a type where the admin is typing', async () => {
    const { user } = await openContacts();
    expect(backend.sampleFields).toHaveBeenCalledWith('core', 'crm_contacts');
    const paths = (await screen.findAllByTestId('query-hint-field')).map((b) => b.dataset.path);
    expect(paths).toEqual(['visits', 'tags']);
    const filter = screen.getByTestId('query-filter');
    await user.type(filter, '{{');
    await user.click(screen.getAllByTestId('query-hint-field')[0]);
    expect(filter).toHaveValue('{visits: ');
    await user.click(screen.getByTestId('query-hint-types'));
    await user.click(await screen.findByText('NumberLong("")'));
    expect(filter).toHaveValue('{visits: NumberLong("")');
  });
});
