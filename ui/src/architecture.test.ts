// The UI's shape, checked on its sources: the Rust backend is the only
// implementation of the domain rules, reached only through backend.ts.
import { describe, expect, it } from 'vitest';

const sources = import.meta.glob<string>(['./**/*.{ts,tsx}', '!./**/*.test.{ts,tsx}', '!./test/**'], {
  query: '?raw',
  import: 'default',
  eager: true,
});

describe('architecture', () => {
  it('sees the app sources', () => {
    expect(Object.keys(sources)).toEqual(expect.arrayContaining(['./backend.ts', './main.tsx', './App.tsx']));
  });

  it('has no second backend: nothing answers IPC in TypeScript', () => {
    // A fake backend has to re-implement validation, limits and confirmations,
    // and drifts from Rust; tests mock backend.ts with typed fixtures instead.
    const fakes = Object.entries(sources)
      .filter(([, text]) => text.includes('@tauri-apps/api/mocks'))
      .map(([path]) => path);
    expect(fakes).toEqual([]);
  });

  it('calls the generated commands only from backend.ts', () => {
    // Constants from bindings.ts may be imported anywhere; `commands` may not.
    const commandsImport = /import\s*\{[^}]*\bcommands\b[^}]*\}\s*from\s*['"][./]*bindings['"]/;
    const importers = Object.entries(sources)
      .filter(([, text]) => commandsImport.test(text))
      .map(([path]) => path);
    expect(importers).toEqual(['./backend.ts']);
  });
});
