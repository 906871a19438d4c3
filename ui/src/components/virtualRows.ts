/**
 * Rows rendered beyond the viewport on each side of the virtual tables. The
 * app paints without compositing, so the rows a scroll brings into view are
 * rendered in the same frame, before it is painted: more rows only add work
 * to every frame (scripts/bench-scroll, the same session: 8 rows gave frames
 * of p50 37–38 ms, 2 rows 30–32 ms). With compositing turned back on
 * (WEBKIT_DISABLE_COMPOSITING_MODE=0) a fast scroll might show an unfilled
 * edge for a frame; that has not been measured.
 */
export const OVERSCAN = 2;
