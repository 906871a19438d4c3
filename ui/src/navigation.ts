// The main area's view, kept in the webview's own history: Back and
// Forward (the header's arrows, Alt+←/→, a mouse's side buttons) walk the
// screens, collections and users the admin opened, as in a browser.

import { useCallback, useEffect, useState } from 'react';

interface Entry<V> {
  view: V;
}

function isEntry<V>(state: unknown): state is Entry<V> {
  return typeof state === 'object' && state !== null && 'view' in state;
}

/** A view state whose every change is a history entry. */
export function useViewHistory<V>(initial: V): [V, (view: V) => void] {
  const [view, setView] = useState<V>(initial);
  useEffect(() => {
    window.history.replaceState({ view: initial } satisfies Entry<V>, '');
    const onPop = (e: PopStateEvent) => {
      if (isEntry<V>(e.state)) setView(e.state.view);
    };
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
    // The first view only seeds the history.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const go = useCallback((next: V) => {
    window.history.pushState({ view: next } satisfies Entry<V>, '');
    setView(next);
  }, []);
  return [view, go];
}
