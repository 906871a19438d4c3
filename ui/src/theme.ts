import { createTheme, type MantineColorsTuple } from '@mantine/core';

// A calm blue-grey accent for a tool people stare at all day; red is kept for
// production and destructive actions only.
const steel: MantineColorsTuple = [
  '#eef3fb',
  '#dce4f1',
  '#b5c7e3',
  '#8ba8d5',
  '#688dc9',
  '#527cc2',
  '#4574c0',
  '#3662aa',
  '#2d5799',
  '#1e4a88',
];

export const theme = createTheme({
  primaryColor: 'steel',
  colors: { steel },
  defaultRadius: 'md',
  cursorType: 'pointer',
  fontFamily:
    'Inter, system-ui, -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  fontFamilyMonospace:
    'ui-monospace, "JetBrains Mono", "SF Mono", "Cascadia Code", Menlo, Consolas, "Liberation Mono", monospace',
  headings: {
    fontWeight: '600',
  },
  components: {
    Badge: { defaultProps: { radius: 'sm' } },
    Tooltip: { defaultProps: { withArrow: true, openDelay: 200 } },
    Modal: { defaultProps: { centered: true, overlayProps: { backgroundOpacity: 0.45, blur: 2 } } },
  },
});

/** Colours used for profile accents (the ColorInput swatches). */
export const PROFILE_SWATCHES = [
  '#2f9e44',
  '#1c7ed6',
  '#7048e8',
  '#ae3ec9',
  '#0c8599',
  '#f08c00',
  '#e8590c',
  '#e03131',
  '#495057',
];
