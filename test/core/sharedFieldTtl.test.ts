import * as assert from 'node:assert/strict';
import { maxFieldTtlSeconds, parseFieldTtl } from '../../src/core/fieldTtl';
import { formatFieldTtl, maxFieldTtlSeconds as sharedMax, parseFieldTtlText } from '../../src/shared/fieldTtl';

/*
 * The field TTL text rules the hash editor's webview applies (src/shared/fieldTtl.ts) must say exactly
 * what the core says (src/core/fieldTtl.ts), so a value the webview lets through is one the core takes.
 */

describe('field TTL text shared with the webview', () => {
  it('accepts and refuses exactly what the core does, with the same messages', () => {
    const max = maxFieldTtlSeconds();
    const inputs = ['', '  ', '0', '-1', ' 60 ', '1', '007', '00', '3600', String(max), String(max + 1), '9'.repeat(400), '1.5', '1e3', '-2', 'abc', '10s', '+5', '٣'];
    for (const text of inputs) assert.deepEqual(parseFieldTtlText(text), parseFieldTtl(text), JSON.stringify(text));
    assert.equal(sharedMax(), max);
  });

  it('removal is 0, a TTL is its seconds', () => {
    assert.deepEqual(parseFieldTtlText(' -1'), { seconds: 0 });
    assert.deepEqual(parseFieldTtlText('90'), { seconds: 90 });
    assert.ok('error' in parseFieldTtlText('1.5'));
  });

  it('formats the remaining time as the TTL column shows it', () => {
    const cases: Array<[number, string]> = [
      [-1, 'no TTL'],
      [-2, 'expired'],
      [0, '0 s'],
      [59, '59 s'],
      [60, '1 m'],
      [725, '12 m 5 s'],
      [3600, '1 h'],
      [3720, '1 h 2 m'],
      [86399, '23 h 59 m'],
      [86400, '1 d'],
      [3 * 86400 + 4 * 3600 + 59, '3 d 4 h'],
    ];
    for (const [s, text] of cases) assert.equal(formatFieldTtl(s), text, String(s));
  });
});
