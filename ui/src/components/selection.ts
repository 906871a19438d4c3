/** `selected` without the ids not among `rows` (the same set when none is
 * dropped): a selection only ever holds rows shown now. */
export function onlyShown(selected: ReadonlySet<string>, rows: readonly { id: string }[]): ReadonlySet<string> {
  const shown = new Set(rows.map((r) => r.id));
  return [...selected].every((id) => shown.has(id)) ? selected : new Set([...selected].filter((id) => shown.has(id)));
}
