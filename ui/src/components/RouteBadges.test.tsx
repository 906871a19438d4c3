import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '../test/render';
import { RouteBadges } from './RouteBadges';

describe('RouteBadges', () => {
  it('shows the read preference, the bastion and TLS for a checked connection', () => {
    renderWithProviders(
      <RouteBadges route={{ read_preference: 'secondary (≤ 120 s)', ssh: 'ops@bastion:2222', tls: true, warnings: [] }} />,
    );
    expect(screen.getByTestId('header-read-preference')).toHaveTextContent('reads: secondary (≤ 120 s)');
    expect(screen.getByTestId('header-ssh')).toBeInTheDocument();
    expect(screen.getByTestId('header-tls')).toBeInTheDocument();
    expect(screen.queryByTestId('header-tls-warning')).not.toBeInTheDocument();
  });

  it('keeps a warning in view while a TLS check is off, instead of the TLS badge', () => {
    renderWithProviders(
      <RouteBadges
        route={{ read_preference: 'primary', ssh: null, tls: true, warnings: ['TLS certificates are not verified'] }}
      />,
    );
    expect(screen.getByTestId('header-tls-warning')).toHaveTextContent('TLS checks relaxed');
    expect(screen.queryByTestId('header-tls')).not.toBeInTheDocument();
    expect(screen.queryByTestId('header-ssh')).not.toBeInTheDocument();
  });
});
