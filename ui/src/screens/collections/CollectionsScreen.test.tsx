import { screen, waitFor, within } from '@testing-library/react';
import { useState } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as backend from '../../backend';
import type { BrowsedDatabase } from '../../backend';
import { BackendError } from '../../errors';
import { renderWithProviders } from '../../test/render';
import { CollectionsScreen, type Browsing } from './CollectionsScreen';

vi.mock('../../backend');

const USER = '65a1b2c3d4e5f60718293b01';

const DATABASES: BrowsedDatabase[] = [
  {
    which: 'core',
    name: 'MozaiksCore',
    writable: true,
    error: null,
    collections: [
      { name: 'crm_contacts', is_view: false, estimated_count: 1200, per_user: true, kind: 'plugin' },
      { name: 'users', is_view: false, estimated_count: 40, per_user: false, kind: 'core' },
    ],
  },
  {
    which: 'ai',
    name: 'MozaiksAI',
    writable: false,
    error: null,
    collections: [{ name: 'chat_sessions', is_view: false, estimated_count: 3, per_user: false, kind: 'other' }],
  },
  { which: 'shared', name: 'MozaiksDB', writable: false, error: null, collections: [] },
];

const DOCS = [
  `{"_id":{"$oid":"65a1b2c3d4e5f60718293a05"},"user_id":"${USER}","visits":{"$numberLong":"7"},"score":{"$numberDouble":"1.0"},"at":{"$date":{"$numberLong":"0"}}}`,
  '{"_id":{"$oid":"65a1b2c3d4e5f60718293a04"},"title":"Report","tags":["a","b"]}',
];

function Harness({ onOpenUser }: { onOpenUser: (id: string) => void }) {
  const [browsing, setBrowsing] = useState<Browsing | null>(null);
  return <CollectionsScreen browsing={browsing} onBrowse={setBrowsing} onOpenUser={onOpenUser} />;
}

async function openContacts(onOpenUser = vi.fn()) {
  const r = renderWithProviders(<Harness onOpenUser={onOpenUser} />);
  const item = (await screen.findAllByTestId('browse-collection')).find((c) => c.dataset.collection === 'crm_contacts')!;
  await r.user.click(item);
  await screen.findAllByTestId('query-row');
  return r;
}

describe('CollectionsScreen', () => {
  beforeEach(() => {
    vi.mocked(backend.browseDatabases).mockResolvedValue(DATABASES);
    vi.mocked(backend.runQuery).mockResolvedValue({ documents: DOCS, limit: 50, skip: 0, more: false });
    vi.mocked(backend.countQuery).mockResolvedValue({ value: 2, exact: true });
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
});
