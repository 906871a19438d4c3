import { screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import * as backend from '../../backend';
import type { Deployment, Member } from '../../backend';
import { renderWithProviders } from '../../test/render';
import { DeploymentCard } from './DeploymentCard';

vi.mock('../../backend');

const member = (over: Partial<Member>): Member => ({
  host: 'a:27017',
  state: 'SECONDARY',
  healthy: true,
  lag_seconds: 0,
  priority: 1,
  hidden: false,
  arbiter: false,
  delay_seconds: null,
  ...over,
});

const none: Omit<Deployment, 'topology'> = { set_name: null, members: [], routers: [], shards: [], source: 'hello', note: null };

describe('DeploymentCard', () => {
  it('lists a set with a member down, one lagging, a delayed hidden one and an arbiter', async () => {
    vi.mocked(backend.deployment).mockResolvedValue({
      ...none,
      topology: 'replica_set',
      set_name: 'rs0',
      source: 'replSetGetStatus',
      members: [
        member({ host: 'a:27017', state: 'PRIMARY', priority: 2 }),
        member({ host: 'b:27017', lag_seconds: 12, hidden: true, delay_seconds: 3600, priority: 0 }),
        member({ host: 'c:27017', state: '(not reachable/healthy)', healthy: false, lag_seconds: null }),
        member({ host: 'd:27017', state: 'ARBITER', arbiter: true, lag_seconds: null, priority: 0 }),
      ],
    });
    renderWithProviders(<DeploymentCard />);
    expect(await screen.findByText('Replica set rs0')).toBeInTheDocument();
    const row = (host: string) => screen.getByTestId('deployment').querySelector(`[data-host="${host}"]`) as HTMLElement;
    expect(await screen.findAllByTestId('deployment-member')).toHaveLength(4);
    expect(within(row('c:27017')).getByText('down')).toBeInTheDocument();
    expect(within(row('b:27017')).getByText('12 s')).toBeInTheDocument();
    expect(within(row('b:27017')).getByText('hidden')).toBeInTheDocument();
    expect(within(row('b:27017')).getByText('delayed 3600 s')).toBeInTheDocument();
    expect(within(row('d:27017')).getByText('arbiter')).toBeInTheDocument();
  });

  it('lists the routers and the shards of a cluster', async () => {
    vi.mocked(backend.deployment).mockResolvedValue({
      ...none,
      topology: 'sharded',
      routers: ['m1:27017', 'm2:27017'],
      shards: [
        { name: 'shard01', replica_set: 'shard01', hosts: ['s1a:27018', 's1b:27018'] },
        { name: 'shard02', replica_set: null, hosts: ['s2:27018'] },
      ],
      source: 'listShards',
    });
    renderWithProviders(<DeploymentCard />);
    expect(await screen.findByText('Sharded cluster')).toBeInTheDocument();
    expect(screen.getByTestId('deployment-routers')).toHaveTextContent('m1:27017');
    expect(screen.getAllByTestId('deployment-shard')).toHaveLength(2);
    expect(screen.getByText('s1a:27018, s1b:27018')).toBeInTheDocument();
  });
});
