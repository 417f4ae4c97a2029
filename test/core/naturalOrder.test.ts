import * as assert from 'node:assert/strict';
import { KeyTreeModel } from '../../src/core/keyTree';
import { compareNatural } from '../../src/core/naturalOrder';
import { RowStore } from '../../src/core/rowStore';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const sortNatural = (xs: string[]): string[] => xs.map(b).sort(compareNatural).map((x) => x.toString('latin1'));

describe('natural order', () => {
  it('orders numbers inside names by value', () => {
    assert.deepEqual(sortNatural(['key10', 'key2', 'key1', 'key100', 'key']), ['key', 'key1', 'key2', 'key10', 'key100']);
    assert.deepEqual(sortNatural(['v1.10', 'v1.9', 'v1.9.1', 'v10', 'v2']), ['v1.9', 'v1.9.1', 'v1.10', 'v2', 'v10']);
    assert.deepEqual(sortNatural(['item11', 'item100', 'item10']), ['item10', 'item11', 'item100']);
    assert.deepEqual(sortNatural(['a!', 'a1', 'ab', 'a']), ['a', 'a!', 'a1', 'ab']);
  });

  it('is a total order: leading zeros place a number by value, then fewer zeros first; equal only for equal bytes', () => {
    assert.deepEqual(sortNatural(['a2', 'a010', 'a01', 'a1', 'a001b', 'a0', 'a00']), ['a0', 'a00', 'a1', 'a01', 'a001b', 'a2', 'a010']);
    assert.notEqual(compareNatural(b('a01'), b('a1')), 0);
    assert.equal(compareNatural(b('x12y'), b('x12y')), 0);
    // antisymmetric and transitive over a mixed sample (every pair and triple)
    const sample = ['', '0', '00', '1', '01', '9', '10', 'a', 'a0', 'a00', 'a1', 'a01b', 'a1b', 'a10', 'a9z', 'b', '\u00ff1', '\u00ff01', '1a', '1a2'].map(b);
    for (const x of sample) {
      for (const y of sample) {
        assert.ok(Math.sign(compareNatural(x, y)) === -Math.sign(compareNatural(y, x)), `${x} vs ${y}`);
        if (compareNatural(x, y) === 0) assert.ok(x.equals(y));
        for (const z of sample) {
          if (compareNatural(x, y) < 0 && compareNatural(y, z) < 0) assert.ok(compareNatural(x, z) < 0, `${x} < ${y} < ${z}`);
        }
      }
    }
  });

  it('sorts tree folders and keys naturally, and bytes when asked', () => {
    const keys = ['user:10:a', 'user:2:a', 'user:1:a', 'user2:x', 'user:x', 'k10', 'k9', 'k1'].map(b);
    const natural = new KeyTreeModel(':');
    natural.addKeys(keys);
    const root = natural.children('');
    assert.deepEqual(root.folders.map((f) => f.name), ['user', 'user2']);
    assert.deepEqual(root.keys.map((k) => k.toString()), ['k1', 'k9', 'k10']);
    assert.deepEqual(natural.children(root.folders[0].path).folders.map((f) => f.name), ['1', '2', '10']);
    assert.ok(natural.has(b('k10')));
    assert.equal(natural.removeKey(b('k9')), '');
    assert.deepEqual(natural.children('').keys.map((k) => k.toString()), ['k1', 'k10']);

    const bytes = new KeyTreeModel(':', 'bytes');
    bytes.addKeys(keys);
    const broot = bytes.children('');
    assert.deepEqual(broot.keys.map((k) => k.toString()), ['k1', 'k10', 'k9']);
    assert.deepEqual(bytes.children(broot.folders[0].path).folders.map((f) => f.name), ['1', '10', '2']);
  });

  it('sorts the hash editor rows naturally by field and by value, ascending and descending', () => {
    const s = new RowStore();
    const fields = ['f10', 'f9', 'f1', 'f100', 'f11', 'g', 'f'];
    s.append(fields.map(b), ['20', '3', '100', '1', '2', 'x', '0'].map(b));
    const names = (rows: Int32Array): string[] => Array.from(rows, (r) => s.fieldAt(r).toString());
    assert.deepEqual(names(s.view({ sortBy: 'field', natural: true })), ['f', 'f1', 'f9', 'f10', 'f11', 'f100', 'g']);
    assert.deepEqual(names(s.view({ sortBy: 'field', natural: true, descending: true })), ['g', 'f100', 'f11', 'f10', 'f9', 'f1', 'f']);
    assert.deepEqual(names(s.view({ sortBy: 'value', natural: true })), ['f', 'f100', 'f11', 'f9', 'f10', 'f1', 'g']);
    assert.deepEqual(names(s.view({ sortBy: 'field' })), ['f', 'f1', 'f10', 'f100', 'f11', 'f9', 'g']);
  });

  it('sorts rows that share a numeric prefix by the whole number', () => {
    const s = new RowStore();
    const fields = ['item100', 'item11', 'item10', 'item1000', 'item101'];
    s.append(fields.map(b), fields.map(() => b('v')));
    assert.deepEqual(Array.from(s.view({ sortBy: 'field', natural: true }), (r) => s.fieldAt(r).toString()), ['item10', 'item11', 'item100', 'item101', 'item1000']);
  });
});
