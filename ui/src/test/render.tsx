import { render, type RenderResult } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactElement } from 'react';
import { Providers } from '../Providers';
import { createQueryClient } from '../queries';
import type { AppError } from '../bindings';
import { BackendError } from '../errors';

/** Renders inside the app's providers, with transitions and portals off. */
export function renderWithProviders(
  ui: ReactElement,
  client = createQueryClient(),
): RenderResult & { user: ReturnType<typeof userEvent.setup>; client: ReturnType<typeof createQueryClient> } {
  const user = userEvent.setup();
  const result = render(
    <Providers client={client} env="test">
      {ui}
    </Providers>,
  );
  return { ...result, user, client };
}

/** What backend.ts rejects with. */
export const backendError = (e: AppError) => new BackendError(e);
