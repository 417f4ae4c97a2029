import * as assert from 'node:assert/strict';
import { fnv1a } from '../../src/core/fnv';
import { hashBytes } from '../../src/core/rowStoreIndex';
import { formatBytes, formatTtl, looksLikeJson } from '../../src/shared/format';

/*
 * The one form of TTL and size text the tree, the palette and the hash editor show (src/shared/format.ts),
 * the JSON sniff that picks an editor's language, and the FNV-1a hash the key tree and the row store use.
 */

describe('shared formatting', () => {
  it('formats a TTL with two units at most, the same everywhere', () => {
    const cases: Array<[number, string]> = [
      [-1, 'no TTL'],
      [-2, 'expired'],
      [0, '0s'],
      [42, '42s'],
      [59.9, '59s'],
      [60, '1m'],
      [90, '1m 30s'],
      [725, '12m 5s'],
      [3599, '59m 59s'],
      [3600, '1h'],
      [3720, '1h 2m'],
      [3659, '1h'],
      [86399, '23h 59m'],
      [86400, '1d'],
      [3 * 86400 + 4 * 3600 + 59, '3d 4h'],
      [400 * 86400, '400d'],
    ];
    for (const [s, text] of cases) assert.equal(formatTtl(s), text, String(s));
  });

  it('formats sizes in B, KB and MB', () => {
    const cases: Array<[number, string]> = [
      [0, '0 B'],
      [1023, '1023 B'],
      [1024, '1.0 KB'],
      [1536, '1.5 KB'],
      [1024 * 1024 - 1, '1024.0 KB'],
      [1024 * 1024, '1.0 MB'],
      [10 * 1024 * 1024, '10.0 MB'],
    ];
    for (const [n, text] of cases) assert.equal(formatBytes(n), text, String(n));
  });

  it('sniffs JSON objects and arrays from text and from bytes alike', () => {
    const yes = ['{}', '[]', ' \n\t{"a":1}', '[1, 2, {"b": null}]', '{"é": "中"}', '{"a":1}\n'];
    const no = ['', ' ', '42', '"text"', 'true', 'null', '{', '[1,', '{a:1}', 'plain text', '{"a":1} trailing', '\u00a0{}'];
    for (const t of yes) {
      assert.equal(looksLikeJson(t), true, `text ${JSON.stringify(t)}`);
      assert.equal(looksLikeJson(Buffer.from(t, 'utf8')), true, `bytes ${JSON.stringify(t)}`);
    }
    for (const t of no) {
      assert.equal(looksLikeJson(t), false, `text ${JSON.stringify(t)}`);
      assert.equal(looksLikeJson(Buffer.from(t, 'utf8')), false, `bytes ${JSON.stringify(t)}`);
    }
  });

  it('takes bytes as JSON only when they are valid UTF-8', () => {
    // a lone 0xff inside a JSON string: decoding it leniently would make it U+FFFD and parse
    const bad = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff]), Buffer.from('"}')]);
    assert.equal(looksLikeJson(bad), false);
    assert.equal(looksLikeJson(bad.toString('utf8')), true, 'the same text decoded leniently is JSON');
    assert.equal(looksLikeJson(new Uint8Array([0x7b, 0x7d])), true, 'a plain Uint8Array');
    assert.equal(looksLikeJson(Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d])), false, 'a BOM before the object');
  });

  it('hashes with 32-bit FNV-1a, over a range of the bytes', () => {
    assert.equal(fnv1a(Buffer.alloc(0), 0, 0), 0x811c9dc5);
    assert.equal(fnv1a(Buffer.from('a'), 0, 1), 0xe40c292c);
    assert.equal(fnv1a(Buffer.from('foobar'), 0, 6), 0xbf9cf968);
    assert.equal(fnv1a(Buffer.from('xxfoobaryy'), 2, 8), 0xbf9cf968);
    // the row store mixes the same hash further; equal names still hash equal
    assert.equal(hashBytes(Buffer.from('xxfoobaryy'), 2, 8), hashBytes(Buffer.from('foobar'), 0, 6));
    assert.notEqual(hashBytes(Buffer.from('foobar'), 0, 6), 0xbf9cf968);
  });
});
