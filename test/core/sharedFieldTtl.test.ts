import * as assert from 'node:assert/strict';
import { checkFieldTtl } from '../../src/core/fieldTtl';
import { maxFieldTtlSeconds, parseFieldTtlText } from '../../src/shared/fieldTtl';

/*
 * The field TTL text rules the webview and the palette apply (src/shared/fieldTtl.ts): a value they let
 * through is one the core's last check (checkFieldTtl) takes.
 */

describe('field TTL text shared with the webview', () => {
  it('accepts only what the core takes, and says why it refuses', () => {
    const now = Date.now();
    const max = maxFieldTtlSeconds(now);
    const accepted: Array<[string, number]> = [['', 0], ['  ', 0], ['0', 0], ['-1', 0], [' 60 ', 60], ['1', 1], ['007', 7], [String(max), max]];
    for (const [text, seconds] of accepted) {
      assert.deepEqual(parseFieldTtlText(text, now), { seconds }, JSON.stringify(text));
      if (seconds > 0) checkFieldTtl(seconds);
    }
    const refused = ['00', String(max + 1), '9'.repeat(400), '1.5', '1e3', '-2', 'abc', '10s', '+5', '٣'];
    for (const text of refused) {
      const r = parseFieldTtlText(text, now);
      assert.ok('error' in r && /whole number of seconds|greater than 0|at most [\d,]+ seconds/.test(r.error), `${JSON.stringify(text)}: ${JSON.stringify(r)}`);
    }
    assert.throws(() => checkFieldTtl(max + 2));
  });

  it('removal is 0, a TTL is its seconds', () => {
    assert.deepEqual(parseFieldTtlText(' -1'), { seconds: 0 });
    assert.deepEqual(parseFieldTtlText('90'), { seconds: 90 });
    assert.ok('error' in parseFieldTtlText('1.5'));
  });
});
