import * as assert from 'node:assert/strict';
import { escapeBytes, fromDisplay, nameForMessage, preview, toDisplay, unescapeBytes } from '../../src/core/codec';

describe('value codec', () => {
  it('shows UTF-8 as text and keeps its bytes', () => {
    const buf = Buffer.from('héllo wörld ✓ 😀\n\t{"a":1}', 'utf8');
    const d = toDisplay(buf);
    assert.equal(d.utf8, true);
    assert.equal(d.text, 'héllo wörld ✓ 😀\n\t{"a":1}');
    assert.ok(fromDisplay(d).equals(buf));
  });

  it('escapes bytes that are not UTF-8 and converts back to the same bytes', () => {
    const buf = Buffer.from([0x00, 0xff, 0xfe, 0x41, 0x5c, 0x78, 0x0a, 0xc3]);
    const d = toDisplay(buf);
    assert.equal(d.utf8, false);
    assert.equal(d.text, '\\x00\\xff\\xfeA\\\\x\\x0a\\xc3');
    assert.ok(fromDisplay(d).equals(buf));
  });

  it('round-trips every byte value and random binary blobs', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    assert.ok(unescapeBytes(escapeBytes(all)).equals(all));
    for (let n = 0; n < 200; n++) {
      const b = Buffer.alloc(1 + (n % 37));
      for (let i = 0; i < b.length; i++) b[i] = (n * 31 + i * 17) & 255;
      assert.ok(fromDisplay(toDisplay(b)).equals(b), `blob ${n}`);
    }
  });

  it('an edited escaped value keeps untouched bytes and takes typed UTF-8', () => {
    const edited = '\\xff\\x00é';
    assert.deepEqual([...unescapeBytes(edited)], [0xff, 0x00, 0xc3, 0xa9]);
  });

  it('rejects a malformed escape instead of guessing', () => {
    assert.throws(() => unescapeBytes('abc\\q'), /Invalid escape/);
    assert.throws(() => unescapeBytes('\\x4'), /Invalid escape/);
  });

  it('previews on one line, truncated, without reading a huge value', () => {
    assert.equal(preview(Buffer.from('a\nb\tc')), 'a\\nb\\tc');
    const big = Buffer.alloc(10 * 1024 * 1024, 'x');
    const p = preview(big, 50);
    assert.equal(p, 'x'.repeat(50) + '…');
    assert.equal(preview(Buffer.from([0xff, 0x41])), '\\xffA');
    // a multi-byte character cut by the preview window is not turned into garbage
    const cut = Buffer.concat([Buffer.alloc(319, 'a'), Buffer.from('é'), Buffer.alloc(10, 'b')]);
    assert.match(preview(cut, 80), /^a{80}…$/);
  });

  it('names a key or field in a message in at most 80 characters, escaped', () => {
    assert.equal(nameForMessage(Buffer.from('user:42')), 'user:42');
    assert.equal(nameForMessage(Buffer.alloc(81, 'k')), 'k'.repeat(80) + '…');
    assert.equal(nameForMessage(Buffer.from('a\nb')), 'a\\nb');
    assert.equal(nameForMessage(Buffer.from([0x6b, 0xff])), 'k\\xff');
  });
});
