import { act, screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as backend from '../../backend';
import { queryKeys } from '../../queries';
import { anOverview } from '../../test/fixtures';
import { renderWithProviders } from '../../test/render';
import { RepairPanel } from './RepairPanel';

vi.mock('../../backend');

function renderPanel(kind: 'wrong_user_id_type' | 'orphan' | 'missing_user_id') {
  const r = renderWithProviders(<RepairPanel collection="crm_contacts" kind={kind} />);
  act(() => r.client.setQueryData(queryKeys.overview, anOverview({ read_only: false })));
  return r;
}

describe('RepairPanel', () => {
  beforeEach(() => {
    vi.mocked(backend.applyRepair).mockResolvedValue({ changed: 2, exported: null, remaining: 0, audit_warning: null });
  });

  it('applies a repair with the count its dry run gave', async () => {
    vi.mocked(backend.planRepair).mockResolvedValue({
      collection: 'crm_contacts', will_change: 2, left: 1, left_reason: 'their user_id is a number', sample_ids: ['a1', 'a2'], confirmation: null, fingerprint: 'f1',
    });
    const { user } = renderPanel('wrong_user_id_type');
    await user.click(screen.getByTestId('repair-dry-run'));
    expect(backend.planRepair).toHaveBeenCalledWith('crm_contacts', { kind: 'convert_user_ids' });
    const plan = await screen.findByTestId('repair-plan');
    expect(plan).toHaveTextContent('2 documents will change');
    expect(plan).toHaveTextContent('1 document left as it is: their user_id is a number');
    await user.click(screen.getByTestId('repair-apply'));
    await waitFor(() => expect(backend.applyRepair).toHaveBeenCalledWith('crm_contacts', { kind: 'convert_user_ids' }, 'f1', null, null));
  });

  it('deletes orphans only after the typed confirmation, exporting them to the chosen file first', async () => {
    vi.mocked(backend.planRepair).mockResolvedValue({
      collection: 'crm_contacts', will_change: 3, left: 0, left_reason: null, sample_ids: [], confirmation: 'delete 3', fingerprint: 'f2',
    });
    vi.mocked(backend.chooseJsonLinesPath).mockResolvedValue('/home/me/orphans.jsonl');
    const { user } = renderPanel('orphan');
    await user.click(screen.getByRole('radio', { name: 'Export, then delete' }));
    await user.click(screen.getByTestId('repair-dry-run'));
    expect(backend.planRepair).toHaveBeenCalledWith('crm_contacts', { kind: 'delete_orphans' });
    await screen.findByTestId('repair-confirmation');
    await user.click(screen.getByTestId('repair-apply'));
    expect(backend.applyRepair).not.toHaveBeenCalled();
    await user.type(screen.getByTestId('repair-confirmation'), 'delete 3');
    await user.click(screen.getByTestId('repair-apply'));
    await waitFor(() =>
      expect(backend.applyRepair).toHaveBeenCalledWith('crm_contacts', { kind: 'delete_orphans' }, 'f2', 'delete 3', '/home/me/orphans.jsonl'),
    );
  });

  it('asks for the user documents are given to before a dry run', () => {
    renderPanel('missing_user_id');
    expect(screen.getByTestId('repair-dry-run')).toBeDisabled();
  });
});
