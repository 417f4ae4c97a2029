import * as assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { preview } from '../../src/core/codec';
import { rowPreview } from '../../src/core/display';

/* The table's row preview takes a faster way for short binary values; its text must be the core preview's, exactly. */
describe('row preview', () => {
  it('is the same text as the core preview for text, binary, compressed, empty and long values', () => {
    const values: Buffer[] = [Buffer.alloc(0), Buffer.from('plain text'), Buffer.from('a\\b\x00c'), Buffer.from('é✓ line\nnext')];
    for (let n = 0; n < 400; n++) {
      const b = Buffer.alloc(n * 7);
      for (let i = 0; i < b.length; i++) b[i] = (n * 131 + i * 29) & 255;
      values.push(b, gzipSync(b));
    }
    for (const v of values) for (const max of [1, 3, 80, 500]) assert.equal(rowPreview(v, max), preview(v, max), `${v.length} bytes, max ${max}`);
  });
});
