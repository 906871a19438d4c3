import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { EChart } from './EChart';

describe('EChart', () => {
  it('draws with the SVG renderer under jsdom and disposes on unmount', () => {
    const option = {
      xAxis: { type: 'category', data: ['a', 'b'] },
      yAxis: { type: 'value' },
      series: [{ type: 'bar', data: [1, 2] }],
    };
    const { getByTestId, unmount } = render(<EChart option={option} testId="chart" height={200} />);
    const host = getByTestId('chart');
    expect(host.getAttribute('_echarts_instance_')).toBeTruthy();
    unmount();
  });
});
