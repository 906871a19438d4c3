// What the query bar sends: each part as Extended JSON. People paste shell
// syntax (`{_id: ObjectId("…"), at: {$gt: ISODate("…")}}`) as often as
// Extended JSON; the shell form is parsed here by a maintained parser and
// written as canonical Extended JSON, so every BSON type the text names
// reaches Rust as that type. What a query may do is Rust's to decide.

import parse from '@mongodb-js/shell-bson-parser';
import { EJSON } from 'bson';

export type Converted = { ok: true; json: string } | { ok: false; message: string };

/** Shell text with its string literals blanked, so only code is looked at. */
function outsideStrings(text: string): string {
  return text.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, (s) => ' '.repeat(s.length));
}

/**
 * An integer written without quotes past 2^53 (`NumberLong(9007199254740993)`,
 * or a bare `9007199254740993`): a JS number has already lost its last digits.
 */
function unsafeInteger(text: string): string | null {
  for (const match of outsideStrings(text).matchAll(/(?<![\w.])-?\d{16,}(?![\w.])/g)) {
    if (!Number.isSafeInteger(Number(match[0]))) return match[0];
  }
  return null;
}

function isDocument(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * One part of the query bar as canonical Extended JSON; empty stays empty.
 * JSON is taken as Extended JSON as it stands (canonical or relaxed);
 * anything else is read as shell syntax.
 */
export function toExtendedJson(text: string): Converted {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, json: '' };
  try {
    if (isDocument(JSON.parse(trimmed))) return { ok: true, json: trimmed };
  } catch {
    // Not JSON: shell syntax, below.
  }
  const lossy = unsafeInteger(trimmed);
  if (lossy) {
    return { ok: false, message: `${lossy} loses digits as a JavaScript number: write it as NumberLong("${lossy}")` };
  }
  let value: unknown;
  try {
    value = parse(trimmed, { mode: 'loose' });
  } catch (e) {
    return { ok: false, message: `Not a query document: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
  }
  if (!isDocument(value)) {
    return { ok: false, message: 'Not a query document: write it as { field: value }' };
  }
  return { ok: true, json: EJSON.stringify(value as Record<string, unknown>, { relaxed: false }) };
}
