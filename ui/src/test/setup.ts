// Vitest setup: jest-dom matchers and the browser APIs Mantine expects but
// jsdom lacks.
import '@testing-library/jest-dom/vitest';
import { cleanNotifications } from '@mantine/notifications';
import { cleanup, configure } from '@testing-library/react';
import { afterEach, vi } from 'vitest';

// Screens load as their own chunks: the first visit to one waits for its
// module, which on CI's two busy cores can take longer than the default 1 s.
configure({ asyncUtilTimeout: 5_000 });

afterEach(() => {
  cleanup();
  // The toast store is module-wide: one test's toasts must not fill the next one's.
  cleanNotifications();
});

const { getComputedStyle } = window;
window.getComputedStyle = (elt: Element, pseudo?: string | null) => getComputedStyle(elt, pseudo);

Object.defineProperty(window, 'matchMedia', {
  writable: true,
  configurable: true,
  value: vi.fn().mockImplementation((query: string) => ({
    matches: false,
    media: query,
    onchange: null,
    addListener: vi.fn(),
    removeListener: vi.fn(),
    addEventListener: vi.fn(),
    removeEventListener: vi.fn(),
    dispatchEvent: vi.fn(),
  })),
});

class ResizeObserverStub {
  observe() {}
  unobserve() {}
  disconnect() {}
}
window.ResizeObserver = window.ResizeObserver ?? (ResizeObserverStub as unknown as typeof ResizeObserver);

HTMLElement.prototype.scrollIntoView = HTMLElement.prototype.scrollIntoView ?? function scrollIntoView() {};

// jsdom has no layout. The users table is virtualized (TanStack Virtual reads
// its scroll element's clientHeight): give elements marked as virtual
// viewports a window-sized height so rows render; everything else keeps 0.
const clientHeight = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientHeight');
Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
  configurable: true,
  get(this: HTMLElement) {
    if (this.hasAttribute('data-virtual-viewport')) return 800;
    return clientHeight?.get?.call(this) ?? 0;
  },
});

// CodeMirror measures text through Range rects, which jsdom does not implement.
const emptyRects = () => {
  const list = [] as unknown as DOMRectList & DOMRect[];
  (list as unknown as { item: (i: number) => DOMRect | null }).item = () => null;
  return list;
};
Range.prototype.getBoundingClientRect = Range.prototype.getBoundingClientRect ?? (() => new DOMRect());
Range.prototype.getClientRects = Range.prototype.getClientRects ?? emptyRects;
Element.prototype.getClientRects = Element.prototype.getClientRects ?? emptyRects;

// Each test starts with no remembered preferences.
afterEach(() => {
  localStorage.clear();
});
