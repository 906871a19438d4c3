import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { Providers } from './Providers';
import { createQueryClient } from './queries';

async function start() {
  // `npm run dev` only: `?fake` (or `?fake=empty`) answers IPC with an
  // in-memory backend so the UI can be looked at in a plain browser. The
  // whole branch, and the fake with it, is dropped from production builds.
  if (import.meta.env.DEV) {
    const params = new URLSearchParams(window.location.search);
    if (params.has('fake')) {
      const { installFakeBackend } = await import('./dev/fakeBackend');
      installFakeBackend(params.get('fake') ?? '');
    }
  }
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <Providers client={createQueryClient()}>
        <App />
      </Providers>
    </StrictMode>,
  );
}

void start();
