import { describe, expect, it } from 'vitest';
import forms from '../../../../tests/data/query_forms.json';
import { toExtendedJson } from './queryText';

describe('toExtendedJson', () => {
  // The same table the Rust integration test runs against the live server:
  // each shell text must become exactly the Extended JSON beside it.
  it.each(forms)('turns the shell form of $name into its Extended JSON', ({ shell, extjson }) => {
    expect(toExtendedJson(shell)).toEqual({ ok: true, json: extjson });
  });

  it('passes Extended JSON through as written', () => {
    for (const { extjson } of forms) {
      expect(toExtendedJson(extjson)).toEqual({ ok: true, json: extjson });
    }
    expect(toExtendedJson('{"n": 1}')).toEqual({ ok: true, json: '{"n": 1}' });
  });

  it('keeps the types people name', () => {
    const json = (text: string) => {
      const r = toExtendedJson(text);
      if (!r.ok) throw new Error(r.message);
      return JSON.parse(r.json);
    };
    expect(json('{a: NumberLong("9007199254740993")}')).toEqual({ a: { $numberLong: '9007199254740993' } });
    expect(json('{a: Double(1)}')).toEqual({ a: { $numberDouble: '1.0' } });
    expect(json('{a: NumberDecimal("-0")}')).toEqual({ a: { $numberDecimal: '-0' } });
    expect(json('{a: new Date("1960-01-01")}')).toEqual({ a: { $date: { $numberLong: '-315619200000' } } });
    expect(json('{a: UUID("3b241101-e2bb-4255-8caf-4136c566a962")}')).toEqual({
      a: { $binary: { base64: 'OyQRAeK7QlWMr0E2xWapYg==', subType: '04' } },
    });
    expect(json('{a: MinKey(), b: Timestamp(1, 2)} // a comment')).toEqual({ a: { $minKey: 1 }, b: { $timestamp: { t: 1, i: 2 } } });
  });

  it('says what is wrong instead of guessing', () => {
    for (const bad of ['{a: 1', '[1]', '"text"', '{a: this.x}', 'db.users.drop()']) {
      expect(toExtendedJson(bad).ok, bad).toBe(false);
    }
    for (const text of ['{a: NumberLong(9007199254740993)}', '{a: 9007199254740993}', '{a: {$gt: -12345678901234567}}']) {
      const lossy = toExtendedJson(text);
      expect(lossy.ok, text).toBe(false);
      expect(!lossy.ok && lossy.message).toMatch(/NumberLong\("-?\d+"\)/);
    }
    // Safe integers, quoted digits and decimals pass.
    for (const text of ['{a: 9007199254740991}', '{a: "90071992547409931234"}', '{a: NumberLong("9007199254740993")}', '{a: 1.5}']) {
      expect(toExtendedJson(text).ok, text).toBe(true);
    }
    expect(toExtendedJson('  ')).toEqual({ ok: true, json: '' });
  });
});
