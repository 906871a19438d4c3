import { describe, expect, it } from 'vitest';
import { cellText, shellText, type Json } from './shellText';

describe('shell form of canonical Extended JSON', () => {
  it('names each BSON type as the shell does', () => {
    const cases: [Json, string][] = [
      [{ $oid: '65a1b2c3d4e5f60718293a4b' }, 'ObjectId("65a1b2c3d4e5f60718293a4b")'],
      [{ $numberInt: '5' }, '5'],
      [{ $numberLong: '5' }, 'NumberLong("5")'],
      [{ $numberDouble: '1.0' }, '1.0'],
      [{ $numberDouble: '3' }, '3.0'],
      [{ $numberDouble: '-0.0' }, '-0.0'],
      [{ $numberDouble: 'NaN' }, 'NaN'],
      [{ $numberDouble: '-Infinity' }, '-Infinity'],
      [{ $numberDecimal: '10.50' }, 'NumberDecimal("10.50")'],
      [{ $date: { $numberLong: '-315619200000' } }, 'ISODate("1960-01-01T00:00:00.000Z")'],
      [{ $date: { $numberLong: '253402300800000' } }, 'Date(253402300800000)'],
      [{ $binary: { base64: 'AAAA', subType: '80' } }, 'BinData(128, "AAAA")'],
      [{ $regularExpression: { pattern: '^a', options: 'imx' } }, '/^a/imx'],
      [{ $timestamp: { t: 1, i: 2 } }, 'Timestamp(1, 2)'],
      [{ $minKey: 1 }, 'MinKey()'],
      [{ $maxKey: 1 }, 'MaxKey()'],
      [{ $code: 'x()' }, 'Code("x()")'],
    ];
    for (const [value, text] of cases) expect(cellText(value)).toBe(text);
  });

  it('shortens documents and arrays in cells and indents them in the JSON view', () => {
    expect(cellText({ a: { $numberInt: '1' }, b: 'x' })).toBe('{ 2 fields }');
    expect(cellText([1, 2, 3])).toBe('[ 3 ]');
    expect(cellText(undefined)).toBe('');
    const doc: Json = { _id: { $oid: '65a1b2c3d4e5f60718293a4b' }, 'a.b': [{ $numberLong: '1' }], $odd: {} };
    expect(shellText(doc)).toBe(
      '{\n  "_id": ObjectId("65a1b2c3d4e5f60718293a4b"),\n  "a.b": [\n    NumberLong("1")\n  ],\n  "$odd": {}\n}',
    );
  });
});
