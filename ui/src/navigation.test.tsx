import { createMemoryHistory, RouterProvider } from '@tanstack/react-router';
import { act, render, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createAppRouter, useRoutedView, type View } from './navigation';

/** Every kind of view, with the odd characters a route must carry. */
const VIEWS: View[] = [
  { screen: 'overview' },
  { screen: 'dashboard' },
  { screen: 'users' },
  { screen: 'user360', userId: '65f0c0ffee0000000000beef', from: 'audit' },
  { screen: 'notifications' },
  { screen: 'plugins' },
  { screen: 'plugins', focus: { collection: 'crm_contacts', status: 'in progress', userId: null } },
  { screen: 'plugins', focus: { collection: 'crm_contacts', status: null, userId: '65f0c0ffee0000000000beef' } },
  { screen: 'collections' },
  { screen: 'collections', place: { database: 'ai', collection: 'chat sessions/&?#' } },
  { screen: 'collections', place: { database: 'core', collection: 'task_manager_tasks', filter: '{"_id":{"$oid":"65f0c0ffee0000000000beef"}}' } },
  { screen: 'indexes' },
  { screen: 'audit' },
  { screen: 'connections' },
];

/** The app's routes around a probe that reports the view and can open another. */
function mount(start = '/') {
  const probe: { view?: View; go?: (v: View, openedOn?: string) => void; connection: string } = { connection: 'first' };
  function Probe() {
    const [view, go] = useRoutedView(probe.connection);
    probe.view = view;
    probe.go = go;
    return null;
  }
  const router = createAppRouter(Probe, createMemoryHistory({ initialEntries: [start] }));
  render(<RouterProvider router={router} />);
  return { probe, router };
}

describe('routes', () => {
  it('give every view a route that names it again, and Back walks them in reverse', async () => {
    const { probe, router } = mount();
    await waitFor(() => expect(probe.view).toEqual({ screen: 'connections' }));
    for (const view of VIEWS) {
      act(() => probe.go!(view));
      await waitFor(() => expect(probe.view).toEqual(view));
    }
    expect(router.state.location.pathname).toBe('/');
    for (const view of [...VIEWS].reverse().slice(1)) {
      act(() => router.history.back());
      await waitFor(() => expect(probe.view).toEqual(view));
    }
  });

  it('name a collection and a user in the location', async () => {
    const { probe, router } = mount();
    await waitFor(() => expect(probe.view).toBeDefined());
    act(() => probe.go!({ screen: 'collections', place: { database: 'core', collection: 'crm_contacts' } }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/collections'));
    expect(router.state.location.search).toEqual({ db: 'core', collection: 'crm_contacts' });
    act(() => probe.go!({ screen: 'user360', userId: '65f0c0ffee0000000000beef', from: 'users' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/users/65f0c0ffee0000000000beef'));
  });

  it('name nothing of an earlier connection: its entries open their screens bare', async () => {
    const { probe, router } = mount();
    await waitFor(() => expect(probe.view).toBeDefined());
    act(() => probe.go!({ screen: 'collections', place: { database: 'core', collection: 'crm_contacts' } }));
    act(() => probe.go!({ screen: 'user360', userId: '65f0c0ffee0000000000beef', from: 'notifications' }));
    act(() => probe.go!({ screen: 'plugins', focus: { collection: 'crm_contacts', status: 'done', userId: null } }));
    // A new connection, made in the same event as its first view.
    probe.connection = 'second';
    act(() => probe.go!({ screen: 'overview' }, 'second'));
    await waitFor(() => expect(probe.view).toEqual({ screen: 'overview' }));
    for (const bare of [{ screen: 'plugins' }, { screen: 'notifications' }, { screen: 'collections' }]) {
      act(() => router.history.back());
      await waitFor(() => expect(probe.view).toEqual(bare));
    }
  });

  it('read an unknown path as the connections screen, and a route no connection opened as its bare screen', async () => {
    const unknown = mount('/nowhere').probe;
    await waitFor(() => expect(unknown.view).toEqual({ screen: 'connections' }));
    // A location the app starts on (a reload) names nothing: an unknown source is the users list.
    const { probe } = mount('/users/65f0c0ffee0000000000beef?from=%22elsewhere%22');
    await waitFor(() => expect(probe.view).toEqual({ screen: 'users' }));
  });
});
