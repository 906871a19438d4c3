import { useCallback, useLayoutEffect, useRef } from 'react';

/**
 * A function that never changes identity yet always calls the latest `fn`:
 * memoized table rows take it without re-rendering when a parent passes a
 * new closure.
 */
export function useStableCallback<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  const latest = useRef(fn);
  useLayoutEffect(() => {
    latest.current = fn;
  });
  return useCallback((...args: A) => latest.current(...args), []);
}
