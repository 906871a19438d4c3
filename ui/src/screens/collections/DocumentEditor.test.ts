import { describe, expect, it } from 'vitest';
import { pretty } from './DocumentEditor';

describe('pretty', () => {
  it('indents canonical Extended JSON without moving any key', () => {
    const text = '{"_id":{"$oid":"65a1b2c3d4e5f60718293a4b"},"stats":{"b":{"$numberInt":"1"},"2024":{"$numberInt":"5"}},"s":"a \\\\\\"q\\\\\\" , {x}","e":{},"l":[]}';
    const out = pretty(text);
    expect(out).toBe(
      [
        '{',
        '  "_id": {',
        '    "$oid": "65a1b2c3d4e5f60718293a4b"',
        '  },',
        '  "stats": {',
        '    "b": {',
        '      "$numberInt": "1"',
        '    },',
        '    "2024": {',
        '      "$numberInt": "5"',
        '    }',
        '  },',
        '  "s": "a \\\\\\"q\\\\\\" , {x}",',
        '  "e": {},',
        '  "l": []',
        '}',
      ].join('\n'),
    );
    // The same JSON value, keys in their order.
    expect(JSON.stringify(JSON.parse(out))).toBe(JSON.stringify(JSON.parse(text)));
    expect(out.indexOf('"b"')).toBeLessThan(out.indexOf('"2024"'));
  });
});
