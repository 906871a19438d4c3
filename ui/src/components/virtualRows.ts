/**
 * Rows rendered beyond the viewport on each side of the virtual tables. The
 * app paints without compositing, so the rows a scroll brings into view are
 * rendered in the same frame, before it is painted: more rows only add work
 * to every frame (scripts/bench-scroll, the same session: 8 rows gave frames
 * of p50 37–38 ms, 2 rows 30–32 ms).
 */
export const OVERSCAN = 2;
