// Canonical Extended JSON as people read it in the shell: `ObjectId("…")`,
// `ISODate("…")`, `NumberLong("5")`, `1.0` for a Double. Display only: the
// text a save sends is the canonical JSON itself, never this.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const DATE_MIN = -8_640_000_000_000_000;
const DATE_MAX = 8_640_000_000_000_000;

function double(text: string): string {
  if (text === 'NaN' || text === 'Infinity' || text === '-Infinity') return text;
  if (text === '-0.0') return '-0.0';
  return /[.eE]/.test(text) ? text : `${text}.0`;
}

function date(ms: string): string {
  const n = Number(ms);
  // JS dates span ±8.64e15 ms and ISO text only years 0 to 9999.
  if (n >= DATE_MIN && n <= DATE_MAX) {
    const d = new Date(n);
    const year = d.getUTCFullYear();
    if (year >= 0 && year <= 9999) return `ISODate("${d.toISOString()}")`;
  }
  return `Date(${ms})`;
}

/** The shell text of a single wrapper, or null when `o` is a plain document. */
function wrapper(o: { [key: string]: Json }): string | null {
  const keys = Object.keys(o);
  const one = keys.length === 1 ? keys[0] : null;
  const v = one ? o[one] : undefined;
  switch (one) {
    case '$oid':
      return `ObjectId("${String(v)}")`;
    case '$numberInt':
      return String(v);
    case '$numberLong':
      return `NumberLong("${String(v)}")`;
    case '$numberDouble':
      return double(String(v));
    case '$numberDecimal':
      return `NumberDecimal("${String(v)}")`;
    case '$date': {
      const inner = v as { $numberLong?: string } | string;
      return typeof inner === 'string' ? `ISODate("${inner}")` : date(String(inner.$numberLong));
    }
    case '$binary': {
      const b = v as { base64: string; subType: string };
      return `BinData(${parseInt(b.subType, 16)}, "${b.base64}")`;
    }
    case '$regularExpression': {
      const r = v as { pattern: string; options: string };
      return `/${r.pattern}/${r.options}`;
    }
    case '$timestamp': {
      const t = v as { t: number; i: number };
      return `Timestamp(${t.t}, ${t.i})`;
    }
    case '$minKey':
      return 'MinKey()';
    case '$maxKey':
      return 'MaxKey()';
    case '$undefined':
      return 'undefined';
    case '$symbol':
      return `Symbol(${JSON.stringify(v)})`;
    case '$code':
      return `Code(${JSON.stringify(v)})`;
  }
  if (keys.length === 2 && keys.includes('$code') && keys.includes('$scope')) return `Code(${JSON.stringify(o.$code)}, …)`;
  return null;
}

/** One value on one line, documents and arrays shortened: for grid cells. */
export function cellText(value: Json | undefined): string {
  if (value === undefined) return '';
  if (value === null) return 'null';
  if (typeof value === 'string') return value;
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `[ ${value.length} ]`;
  const w = wrapper(value);
  if (w !== null) return w;
  return `{ ${Object.keys(value).length} fields }`;
}

/** A whole document, indented, in shell form: for the JSON view. */
export function shellText(value: Json, indent = ''): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => inner + shellText(v, inner)).join(',\n')}\n${indent}]`;
  }
  const w = wrapper(value);
  if (w !== null) return w;
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${shellText(v, inner)}`).join(',\n')}\n${indent}}`;
}

export type { Json };
