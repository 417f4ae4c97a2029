import * as assert from 'node:assert/strict';
import { RowStore, StoreFullError } from '../../src/core/rowStore';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');
const names = (store: RowStore, rows: ArrayLike<number>): string[] => Array.from(rows, (r) => store.fieldAt(r).toString('utf8'));

/** Every live row of the store as [name, value], in row order. */
function contents(store: RowStore): [string, string][] {
  return Array.from(store.view(), (r) => [store.fieldAt(r).toString('latin1'), store.valueAt(r).toString('latin1')]);
}

describe('RowStore', () => {
  it('appends pages and reads names, values and lengths back', () => {
    const s = new RowStore();
    assert.equal(s.append([b('a'), b('b')], [b('1'), b('22')]), 2);
    assert.equal(s.append([b('c')], [b('')]), 1);
    assert.equal(s.size, 3);
    assert.equal(s.rowCount, 3);
    assert.equal(s.fieldAt(1).toString(), 'b');
    assert.equal(s.valueAt(1).toString(), '22');
    assert.equal(s.valueLengthAt(1), 2);
    assert.equal(s.valueAt(2).length, 0);
    assert.equal(s.indexOf(b('c')), 2);
    assert.equal(s.indexOf(b('zz')), -1);
    assert.throws(() => s.fieldAt(3), RangeError);
  });

  it('dedupes a field HSCAN returns twice, keeping one row and the newer value', () => {
    const s = new RowStore();
    s.append([b('x'), b('y')], [b('1'), b('2')]);
    assert.equal(s.append([b('y'), b('z'), b('x')], [b('2'), b('3'), b('10')]), 1);
    assert.equal(s.size, 3);
    assert.deepEqual(contents(s), [['x', '10'], ['y', '2'], ['z', '3']]);
    assert.equal(s.append([b('q'), b('q')], [b('a'), b('b')]), 1);
    assert.equal(s.valueAt(s.indexOf(b('q'))).toString(), 'b');
  });

  it('appends big pages of names and values of every length class like a reference map (repeats in and across pages)', () => {
    const max = 300;
    const s = new RowStore({ maxValueBytes: max });
    const model = new Map<string, Buffer>();
    const order: string[] = [];
    let seed = 7;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      // (the high bits: an LCG's low bits repeat with a short period and would miss length classes)
      return (seed >>> 16) % n;
    };
    // lengths around the one-byte length limit (127/128), the copy cut-over and the value limit
    const lengths = [0, 1, 31, 32, 33, 127, 128, 129, 299, 300, 301, 20000];
    const bytes = (len: number, tag: number) => Buffer.from(Array.from({ length: len }, (_, i) => (i * 31 + tag) & 255));
    let added = 0;
    for (let page = 0; page < 4; page++) {
      // pages bigger than the store's first scratch table, all views into one buffer as a reply's are
      const pairs: Buffer[] = [];
      for (let i = 0; i < 1500; i++) {
        const id = rnd(3000);
        // exactly the length of its class (short ones repeat more: few distinct names fit)
        const name = Buffer.concat([Buffer.from([id >> 8, id & 255]), bytes(lengths[id % lengths.length], id)]).subarray(0, lengths[id % lengths.length]);
        pairs.push(name, bytes(lengths[rnd(lengths.length)], page * 7 + i));
      }
      const all = Buffer.concat(pairs);
      let at = 0;
      const views = pairs.map((p) => all.subarray(at, (at += p.length)));
      const fields = views.filter((_, i) => i % 2 === 0);
      const values = views.filter((_, i) => i % 2 === 1);
      let fresh = 0;
      fields.forEach((f, i) => {
        const k = f.toString('latin1');
        if (!model.has(k)) {
          order.push(k);
          fresh++;
        }
        model.set(k, Buffer.from(values[i]));
      });
      assert.equal(s.append(fields, values), fresh);
      added += fresh;
    }
    assert.equal(s.size, added);
    assert.deepEqual(contents(s).map(([k]) => k), order);
    for (const [k, v] of model) {
      const r = s.indexOf(Buffer.from(k, 'latin1'));
      assert.ok(r >= 0, k);
      assert.equal(s.valueLengthAt(r), v.length);
      assert.equal(s.isTruncated(r), v.length > max);
      assert.deepEqual(s.valueAt(r), v.subarray(0, max));
    }
  });

  it('keeps binary names and values byte for byte, including empty and NUL bytes', () => {
    const s = new RowStore();
    const f1 = Buffer.from([0xff, 0x00, 0xfe]);
    const f2 = Buffer.from([0xff, 0x00]);
    const v1 = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00]);
    s.append([f1, f2, Buffer.alloc(0)], [v1, Buffer.alloc(0), Buffer.from([0x80])]);
    assert.ok(s.fieldAt(s.indexOf(f1)).equals(f1));
    assert.ok(s.valueAt(s.indexOf(f1)).equals(v1));
    assert.ok(s.valueAt(s.indexOf(f2)).equals(Buffer.alloc(0)));
    assert.equal(s.indexOf(Buffer.alloc(0)), 2);
    assert.ok(s.valueAt(2).equals(Buffer.from([0x80])));
  });

  it('set updates a row in place (same row, same position) or appends a new one', () => {
    const s = new RowStore();
    s.append([b('a'), b('b'), b('c')], [b('1'), b('2'), b('3')]);
    assert.deepEqual(s.set(b('b'), b('two, longer now')), { row: 1, added: false });
    assert.deepEqual(s.set(b('a'), b('9')), { row: 0, added: false });
    assert.deepEqual(s.set(b('d'), b('4')), { row: 3, added: true });
    assert.deepEqual(contents(s), [['a', '9'], ['b', 'two, longer now'], ['c', '3'], ['d', '4']]);
    assert.equal(s.valueLengthAt(1), 15);
  });

  it('delete leaves a tombstone: order stays, the row is gone from views and lookups', () => {
    const s = new RowStore();
    s.append([b('a'), b('b'), b('c'), b('d')], [b('1'), b('2'), b('3'), b('4')]);
    assert.equal(s.delete(b('b')), 1);
    assert.equal(s.delete(b('b')), -1);
    assert.equal(s.delete(b('nope')), -1);
    assert.equal(s.size, 3);
    assert.equal(s.rowCount, 4);
    assert.ok(s.isDeleted(1));
    assert.equal(s.indexOf(b('b')), -1);
    assert.deepEqual(names(s, s.view()), ['a', 'c', 'd']);
    assert.equal(s.indexOf(b('c')), 2);
  });

  it('a page fetched before a delete does not bring the field back; set() does, as a new row at the end', () => {
    const s = new RowStore();
    s.append([b('a'), b('b')], [b('1'), b('2')]);
    s.delete(b('a'));
    assert.equal(s.append([b('a'), b('c')], [b('1'), b('3')]), 1);
    assert.deepEqual(names(s, s.view()), ['b', 'c']);
    assert.deepEqual(s.set(b('a'), b('new')), { row: 3, added: true });
    assert.deepEqual(contents(s), [['b', '2'], ['c', '3'], ['a', 'new']]);
    assert.equal(s.indexOf(b('a')), 3);
  });

  it('rename keeps the row and its value, frees the old name and refuses a loaded new name', () => {
    const s = new RowStore();
    s.append([b('a'), b('b'), b('c')], [b('1'), b('2'), b('3')]);
    assert.equal(s.rename(b('b'), b('bee')), 1);
    assert.deepEqual(contents(s), [['a', '1'], ['bee', '2'], ['c', '3']]);
    assert.equal(s.indexOf(b('b')), -1);
    assert.equal(s.indexOf(b('bee')), 1);
    assert.throws(() => s.rename(b('a'), b('c')), /already loaded/);
    assert.equal(s.rename(b('missing'), b('x')), -1);
    assert.equal(s.rename(b('a'), b('a')), 0);
    // the old name can be used again
    assert.deepEqual(s.set(b('b'), b('again')), { row: 3, added: true });
    // renaming onto a deleted name works
    s.delete(b('c'));
    assert.equal(s.rename(b('a'), b('c')), 0);
    assert.deepEqual(contents(s), [['c', '1'], ['bee', '2'], ['b', 'again']]);
  });

  it('keeps only a prefix of a value over the limit and remembers its full length', () => {
    const s = new RowStore({ maxValueBytes: 16 });
    const big = Buffer.alloc(1000, 0x61);
    big[0] = 0x62;
    s.append([b('big'), b('small')], [big, b('0123456789abcdef')]);
    const r = s.indexOf(b('big'));
    assert.ok(s.isTruncated(r));
    assert.equal(s.valueAt(r).length, 16);
    assert.ok(s.valueAt(r).equals(big.subarray(0, 16)));
    assert.equal(s.valueLengthAt(r), 1000);
    assert.ok(!s.isTruncated(s.indexOf(b('small'))));
    // a shorter value replaces it untruncated; a rename keeps truncation and length
    s.set(b('big'), b('tiny'));
    assert.ok(!s.isTruncated(r));
    assert.equal(s.valueLengthAt(r), 4);
    s.set(b('big'), Buffer.alloc(70000, 0x7a));
    s.rename(b('big'), b('huge'));
    assert.ok(s.isTruncated(r));
    assert.equal(s.valueLengthAt(r), 70000);
    assert.equal(s.fieldAt(r).toString(), 'huge');
  });

  it('default limit is 64 KB: a 10 MB value costs 64 KB in the store', () => {
    const s = new RowStore();
    s.append([b('ten')], [Buffer.alloc(10 * 1024 * 1024, 0x41)]);
    assert.equal(s.valueAt(0).length, 64 * 1024);
    assert.equal(s.valueLengthAt(0), 10 * 1024 * 1024);
    s.trim();
    assert.ok(s.bytesHeld() < 200 * 1024, `held ${s.bytesHeld()}`);
  });

  it('filters by substring of name or value, ASCII case-insensitively, in row order', () => {
    const s = new RowStore();
    s.append([b('user:1'), b('User:2'), b('order:1'), b('misc'), b('émoji')], [b('alice'), b('BOB'), b('user:1'), b('nothing'), b('ÉTÉ')]);
    assert.deepEqual(names(s, s.view({ filter: 'user' })), ['user:1', 'User:2', 'order:1']);
    assert.deepEqual(names(s, s.view({ filter: 'bob' })), ['User:2']);
    assert.deepEqual(names(s, s.view({ filter: 'ét' })), []);
    assert.deepEqual(names(s, s.view({ filter: 'ÉT' })), ['émoji']);
    assert.deepEqual(names(s, s.view({ filter: 'zzz' })), []);
    assert.deepEqual(names(s, s.view({ filter: '' })), ['user:1', 'User:2', 'order:1', 'misc', 'émoji']);
    assert.deepEqual(names(s, s.view({ filter: 'user', fromRow: 1 })), ['User:2', 'order:1']);
    assert.ok(s.matches(0, 'ALI'));
    assert.ok(!s.matches(3, 'ALI'));
    s.delete(b('User:2'));
    assert.deepEqual(names(s, s.view({ filter: 'user' })), ['user:1', 'order:1']);
  });

  it('sorts by field or value, ascending or descending, by bytes with ties in row order', () => {
    const s = new RowStore();
    s.append(
      [b('b'), b('a'), b('ab'), b('abcdefgh2'), b('abcdefgh1'), b('ab\u0000'), b('c')],
      [b('3'), b('1'), b('2'), b('x'), b('x'), b('0'), b('')],
    );
    assert.deepEqual(names(s, s.view({ sortBy: 'field' })), ['a', 'ab', 'ab\u0000', 'abcdefgh1', 'abcdefgh2', 'b', 'c']);
    assert.deepEqual(names(s, s.view({ sortBy: 'field', descending: true })), ['c', 'b', 'abcdefgh2', 'abcdefgh1', 'ab\u0000', 'ab', 'a']);
    // by value: '' < '0' < '1' < '2' < '3' < 'x' = 'x' (ties keep row order)
    assert.deepEqual(names(s, s.view({ sortBy: 'value' })), ['c', 'ab\u0000', 'a', 'ab', 'b', 'abcdefgh2', 'abcdefgh1']);
    assert.deepEqual(names(s, s.view({ sortBy: 'value', filter: 'abc' })), ['abcdefgh2', 'abcdefgh1']);
  });

  it('holds 100,000 rows compactly, finds each, sorts and filters them', () => {
    const s = new RowStore();
    s.reserve(100_000);
    let raw = 0;
    for (let page = 0; page < 100; page++) {
      const fs: Buffer[] = [];
      const vs: Buffer[] = [];
      for (let i = page * 1000; i < page * 1000 + 1000; i++) {
        fs.push(b(`field:${i}`));
        vs.push(b(`{"id":${i},"qty":${i % 97}}`));
        raw += fs[fs.length - 1].length + vs[vs.length - 1].length;
      }
      assert.equal(s.append(fs, vs), 1000);
      // HSCAN repeats: the same page again adds nothing
      if (page % 10 === 0) assert.equal(s.append(fs.slice(0, 10), vs.slice(0, 10)), 0);
    }
    s.trim();
    assert.equal(s.size, 100_000);
    for (let i = 0; i < 100_000; i += 997) {
      const r = s.indexOf(b(`field:${i}`));
      assert.equal(r, i);
      assert.equal(s.valueAt(r).toString(), `{"id":${i},"qty":${i % 97}}`);
    }
    assert.ok(s.bytesHeld() <= raw * 1.5, `held ${s.bytesHeld()} for ${raw} raw bytes`);
    const sorted = s.view({ sortBy: 'field' });
    assert.equal(sorted.length, 100_000);
    assert.equal(s.fieldAt(sorted[0]).toString(), 'field:0');
    assert.equal(s.fieldAt(sorted[1]).toString(), 'field:1');
    assert.equal(s.fieldAt(sorted[2]).toString(), 'field:10');
    for (let i = 1; i < sorted.length; i++) assert.ok(Buffer.compare(s.fieldAt(sorted[i - 1]), s.fieldAt(sorted[i])) < 0);
    // qty 42 appears for i % 97 === 42: 1031 rows
    assert.equal(s.view({ filter: '"qty":42}' }).length, Array.from({ length: 100_000 }, (_, i) => i % 97 === 42).filter(Boolean).length);
  });

  it('stays consistent with a reference model through random sets, deletes and renames', () => {
    const s = new RowStore({ maxValueBytes: 8 });
    const model = new Map<string, string>();
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let step = 0; step < 20000; step++) {
      const name = `k${rnd(300)}`;
      const op = rnd(10);
      if (op < 5) {
        const value = 'v'.repeat(rnd(20)) + step;
        s.set(b(name), b(value));
        model.set(name, value);
      } else if (op < 8) {
        assert.equal(s.delete(b(name)) >= 0, model.delete(name));
      } else {
        const to = `k${rnd(300)}`;
        const had = model.has(name);
        if (had && model.has(to) && to !== name) {
          assert.throws(() => s.rename(b(name), b(to)));
        } else {
          assert.equal(s.rename(b(name), b(to)) >= 0, had);
          if (had && to !== name) {
            model.set(to, model.get(name) as string);
            model.delete(name);
          }
        }
      }
    }
    assert.equal(s.size, model.size);
    for (const [k, v] of model) {
      const r = s.indexOf(b(k));
      assert.ok(r >= 0, k);
      assert.equal(s.valueLengthAt(r), Buffer.byteLength(v));
      assert.equal(s.valueAt(r).toString(), v.slice(0, 8));
    }
    const before = contents(s);
    s.compact();
    s.trim();
    assert.deepEqual(contents(s), before);
    for (const k of model.keys()) assert.ok(s.indexOf(b(k)) >= 0);
  });

  it('updating a value many times does not grow the store without bound', () => {
    const s = new RowStore();
    s.append([b('a'), b('b')], [b('x'), b('y')]);
    for (let i = 0; i < 2000; i++) s.set(b('a'), Buffer.alloc(10_000 + (i % 2), 0x61));
    assert.ok(s.bytesHeld() < 16 * 1024 * 1024, `held ${s.bytesHeld()}`);
    s.trim();
    assert.ok(s.bytesHeld() < 64 * 1024, `held ${s.bytesHeld()}`);
    assert.equal(s.valueAt(0).length, 10_001);
    assert.equal(s.valueAt(1).toString(), 'y');
  });

  it('refuses rows beyond its byte limit with StoreFullError and keeps what it has', () => {
    const s = new RowStore({ maxBytes: 200 * 1024 });
    let added = 0;
    assert.throws(() => {
      for (let i = 0; i < 1000; i++) added += s.append([b(`f${i}`)], [Buffer.alloc(1000)]);
    }, StoreFullError);
    assert.ok(added > 50);
    assert.equal(s.size, added);
    assert.equal(s.valueAt(added - 1).length, 1000);
  });
});
