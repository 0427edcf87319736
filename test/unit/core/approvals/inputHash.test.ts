import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canonicalJson, inputHash } from '../../../../src/core/approvals/inputHash';

describe('canonicalJson', () => {
  it('sorts object keys at every depth and writes no whitespace', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [1, { z: true, y: null }], c: 'x' } }), '{"a":{"c":"x","d":[1,{"y":null,"z":true}]},"b":1}');
  });

  it('follows JSON.stringify for strings, numbers and missing values', () => {
    assert.equal(canonicalJson('é"\n'), JSON.stringify('é"\n'));
    assert.equal(canonicalJson([1.5, -0, 1e21, NaN, Infinity, undefined]), '[1.5,0,1e+21,null,null,null]');
    assert.equal(canonicalJson({ a: undefined, b: 2 }), '{"b":2}');
    assert.equal(canonicalJson(undefined), 'null');
  });

  it('refuses cycles and bigints with a TypeError', () => {
    const o: Record<string, unknown> = {};
    o.self = o;
    assert.throws(() => canonicalJson(o), TypeError);
    assert.throws(() => canonicalJson({ n: BigInt(1) }), TypeError);
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    assert.equal(canonicalJson([shared, shared]), '[{"x":1},{"x":1}]');
  });
});

describe('inputHash', () => {
  const input = { command: 'npm test', description: 'Run the tests', timeout: 120000 };

  it('is the SHA-256 hex of the canonical JSON', () => {
    const expected = createHash('sha256').update(canonicalJson(input), 'utf8').digest('hex');
    assert.equal(inputHash(input), expected);
    assert.match(inputHash(input), /^[0-9a-f]{64}$/);
  });

  it('does not depend on key order', () => {
    assert.equal(inputHash(input), inputHash({ timeout: 120000, description: 'Run the tests', command: 'npm test' }));
    assert.equal(inputHash({ a: { x: 1, y: 2 } }), inputHash({ a: { y: 2, x: 1 } }));
  });

  it('changes when anything in the input changes', () => {
    const base = inputHash(input);
    const variants: unknown[] = [
      { ...input, command: 'npm test ' },
      { ...input, command: 'npm Test' },
      { ...input, timeout: 120001 },
      { ...input, timeout: '120000' },
      { ...input, extra: null },
      { command: 'npm test', description: 'Run the tests' },
      [input],
      { ...input, description: 'Run the tests\u200b' },
    ];
    for (const v of variants) assert.notEqual(inputHash(v), base, JSON.stringify(v));
    assert.notEqual(inputHash({ edits: [1, 2] }), inputHash({ edits: [2, 1] }));
  });
});
