// A thin React wrapper around Apache ECharts, tree-shaken to what the app
// draws: bar charts on a grid, with tooltip, legend and dataset, rendered as
// SVG (crisp at any zoom, and no canvas needed under jsdom).

import { BarChart } from 'echarts/charts';
import { DatasetComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef, type CSSProperties } from 'react';

echarts.use([BarChart, GridComponent, TooltipComponent, LegendComponent, DatasetComponent, SVGRenderer]);

export type EChartOption = echarts.EChartsCoreOption;

/** What ECharts passes to a `click` handler (the parts the app reads). */
export interface EChartClick {
  componentType?: string;
  seriesName?: string;
  seriesId?: string;
  seriesIndex?: number;
  dataIndex?: number;
  name?: string;
  value?: unknown;
  data?: unknown;
}

export interface EChartProps {
  option: EChartOption;
  onClick?: (params: EChartClick) => void;
  height?: number | string;
  style?: CSSProperties;
  testId?: string;
}

/** Inits on a div, sets the option, follows the container's size, disposes on unmount. */
export function EChart({ option, onClick, height = 260, style, testId }: EChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const onClickRef = useRef(onClick);
  onClickRef.current = onClick;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const instance = echarts.init(el, null, { renderer: 'svg' });
    chart.current = instance;
    instance.on('click', (params) => onClickRef.current?.(params as EChartClick));
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={host} data-testid={testId} style={{ width: '100%', height, ...style }} />;
}
