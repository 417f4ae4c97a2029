import * as assert from 'node:assert/strict';
import { preview } from '../../src/core/codec';
import { tablePreview } from '../../src/core/display';

/* The table's preview shows a text value's line breaks as ↵, so they do not read as a stored backslash and n. */
describe('table preview', () => {
  it('shows line breaks of text as ↵ and keeps a stored backslash-n as it is', () => {
    assert.equal(tablePreview(Buffer.from('line one\nline two\r\nthree'), 80), 'line one ↵ line two ↵ three');
    assert.equal(tablePreview(Buffer.from('a\\nb'), 80), 'a\\nb');
    assert.equal(tablePreview(Buffer.from('tab\there\nx'), 80), 'tab\\there ↵ x');
  });

  it('cuts long text at the same length and marks the cut', () => {
    const long = Buffer.from(`${'x'.repeat(10)}\n${'y'.repeat(100)}`);
    const t = tablePreview(long, 20);
    assert.equal(t, `${'x'.repeat(10)} ↵ ${'y'.repeat(7)}…`);
  });

  it('is the core preview for values without a line break and for binary values', () => {
    for (const v of [Buffer.from('plain'), Buffer.from([0xff, 0x0a, 0x00]), Buffer.alloc(0), Buffer.from('é✓')]) assert.equal(tablePreview(v, 80), preview(v, 80));
  });
});
