import * as assert from 'node:assert/strict';
import { escapeGlob, matchesGlob } from '../../src/core/glob';
import { KeyTreeModel } from '../../src/core/keyTree';
import { KeyPager } from '../../src/core/pagers';
import { admin, commandCounts, connect } from './hooks';

const b = (s: string) => Buffer.from(s, 'utf8');
const names = (keys: Buffer[]) => keys.map((k) => k.toString('utf8'));

/** Every key under a folder, walking the whole model. */
function allKeys(model: KeyTreeModel, path = ''): string[] {
  const { folders, keys } = model.children(path);
  return [...names(keys), ...folders.flatMap((f) => allKeys(model, f.path))];
}

describe('KeyTreeModel', () => {
  it('groups keys into folders by the separator, folders sorted by name, keys by bytes', () => {
    const m = new KeyTreeModel(':');
    m.addKeys([b('user:2'), b('user:1'), b('order:9:items'), b('plain'), b('user:admin:x'), b('order:9:total')]);
    const root = m.children('');
    assert.deepEqual(root.folders, [
      { name: 'order', path: 'order:', keyCount: 2 },
      { name: 'user', path: 'user:', keyCount: 3 },
    ]);
    assert.deepEqual(names(root.keys), ['plain']);
    const user = m.children('user:');
    assert.deepEqual(user.folders, [{ name: 'admin', path: 'user:admin:', keyCount: 1 }]);
    assert.deepEqual(names(user.keys), ['user:1', 'user:2']);
    assert.deepEqual(names(m.children('order:9:').keys), ['order:9:items', 'order:9:total']);
    assert.deepEqual(m.children('nope:'), { folders: [], keys: [] });
  });

  it('drops keys SCAN returned twice, in later pages too, and corrects the folder counts', () => {
    const m = new KeyTreeModel(':');
    m.addKeys([b('a:1'), b('a:2'), b('top')]);
    m.addKeys([b('a:1'), b('top'), b('a:3')]);
    assert.equal(m.loadedCount, 6);
    assert.deepEqual(names(m.children('').keys), ['top']);
    assert.equal(m.children('').folders[0].keyCount, 4, 'not yet opened: counts what SCAN returned');
    assert.deepEqual(names(m.children('a:').keys), ['a:1', 'a:2', 'a:3']);
    assert.equal(m.children('').folders[0].keyCount, 3, 'corrected once the folder was shown');
    assert.equal(m.loadedCount, 4);
    m.addKeys([b('a:2')]);
    assert.deepEqual(names(m.children('a:').keys), ['a:1', 'a:2', 'a:3']);
  });

  it('keeps binary keys and segments intact and shows non-UTF-8 segments escaped', () => {
    const m = new KeyTreeModel(':');
    const bin = Buffer.from([0xff, 0x00, 0x3a, 0x41]); // "\xff\x00" folder, leaf "A"
    const utf = b('naïve:☃');
    m.addKeys([bin, utf]);
    const root = m.children('');
    assert.deepEqual(
      root.folders.map((f) => f.name),
      ['naïve', '\\xff\\x00'],
      'folders sort by their bytes (0x6e before 0xff), like the keys, not by the escaped text shown',
    );
    const binFolder = root.folders.find((f) => f.name === '\\xff\\x00')!;
    assert.ok(m.children(binFolder.path).keys[0].equals(bin));
    assert.ok(m.children(m.folderPathOf(utf)).keys[0].equals(utf));
  });

  it('handles empty segments, multi-byte separators and an empty separator (flat)', () => {
    const m = new KeyTreeModel('::');
    m.addKeys([b('a::b::c'), b('a:::x'), b('::lead'), b('a::')]);
    const root = m.children('');
    assert.deepEqual(
      root.folders.map((f) => [f.name, f.keyCount]),
      [
        ['', 1],
        ['a', 3],
      ],
    );
    assert.deepEqual(names(m.children('a::').keys), ['a::', 'a:::x']);
    assert.deepEqual(names(m.children('a::b::').keys), ['a::b::c']);
    const flat = new KeyTreeModel('');
    flat.addKeys([b('x:1'), b('x:2')]);
    assert.deepEqual(flat.children('').folders, []);
    assert.deepEqual(names(flat.children('').keys), ['x:1', 'x:2']);
  });

  it('tells apart namespaces of the same length and first byte, interleaved in one page', () => {
    // such segments meet in the same slot of the grouping's cache of recent folders
    const m = new KeyTreeModel(':');
    const keys: Buffer[] = [];
    for (let i = 0; i < 400; i++) keys.push(b(`n${String(i % 40).padStart(2, '0')}:${i}`));
    keys.push(b('m00:x'), b('n00'), b('n00:sub:y'));
    m.addKeys(keys);
    const root = m.children('');
    assert.equal(root.folders.length, 41);
    for (const f of root.folders) assert.equal(f.keyCount, f.name === 'm00' ? 1 : f.name === 'n00' ? 11 : 10, f.name);
    assert.deepEqual(names(root.keys), ['n00']);
    assert.deepEqual(names(m.children('n07:').keys), ['n07:7', 'n07:47', 'n07:87', 'n07:127', 'n07:167', 'n07:207', 'n07:247', 'n07:287', 'n07:327', 'n07:367']);
    assert.deepEqual(names(m.children('n00:sub:').keys), ['n00:sub:y']);
  });

  it('finds a segment through a known folder only where that folder is the first separator (multi-byte separator, keys shorter than the folder)', () => {
    // "a:" then ":x": the first "::" of "a:::x" is at 1, so it belongs in "a::", not in a folder "a:"
    const m = new KeyTreeModel('::');
    m.addKeys([b('ab::1'), b('a'), b('ab'), b('ab:'), b('ab::'), b('a:::x'), b('ab::2::z'), b('abc::3'), b('a::y')]);
    assert.deepEqual(
      m.children('').folders.map((f) => [f.name, f.keyCount]),
      [
        ['a', 2],
        ['ab', 3],
        ['abc', 1],
      ],
    );
    assert.deepEqual(names(m.children('').keys), ['a', 'ab', 'ab:']);
    assert.deepEqual(names(m.children('a::').keys), ['a:::x', 'a::y']);
    assert.deepEqual(names(m.children('ab::').keys), ['ab::', 'ab::1']);
    assert.deepEqual(names(m.children('ab::2::').keys), ['ab::2::z']);
  });

  it('keeps every key of many pages intact across its storage blocks (pages larger than a block, long keys, a page all in one folder)', () => {
    const m = new KeyTreeModel(':');
    const expected: string[] = [];
    let n = 0;
    const page = (count: number, make: (i: number) => string) => {
      const keys: Buffer[] = [];
      for (let i = 0; i < count; i++, n++) {
        const k = make(n);
        keys.push(b(k));
        expected.push(k);
      }
      m.addKeys(keys);
      // shown after each page, as the tree does
      m.children('');
    };
    for (let p = 0; p < 40; p++) page(500, (i) => `ns${i % 3}:sub${i % 5}:${i}`);
    page(30_000, (i) => `big:${'x'.repeat(i % 100)}:${i}`);
    page(800, (i) => `only:one:${i}`);
    page(3, (i) => `long:${'y'.repeat(200_000)}${i}`);
    for (let p = 0; p < 20; p++) page(1000, (i) => `ns${i % 3}:${i}`);
    const seen = allKeys(m);
    assert.equal(seen.length, expected.length);
    assert.deepEqual([...seen].sort(), [...expected].sort());
    assert.equal(m.children('only:').folders[0].keyCount, 800);
    assert.equal(m.children('ns1:').folders.length, 5);
  });

  it('removes a key, removes folders left empty and says which folder to refresh', () => {
    const m = new KeyTreeModel(':');
    m.addKeys([b('a:b:c:1'), b('a:x'), b('other')]);
    assert.equal(m.removeKey(b('a:b:c:1')), 'a:', 'a:b: and a:b:c: are gone, a: remains');
    assert.deepEqual(m.children('a:').folders, []);
    assert.equal(m.children('').folders[0].keyCount, 1);
    assert.equal(m.removeKey(b('a:x')), '');
    assert.deepEqual(m.children('').folders, []);
    assert.equal(m.removeKey(b('missing')), undefined);
    assert.equal(m.removeKey(b('other')), '');
    assert.deepEqual(m.children(''), { folders: [], keys: [] });
  });

  it('renames and adds keys at once, reporting the deepest folder that existed', () => {
    const m = new KeyTreeModel(':');
    m.addKeys([b('a:1'), b('a:2')]);
    m.children('a:');
    assert.deepEqual(m.renameKey(b('a:1'), b('a:one')), { removedFrom: 'a:', addedTo: 'a:' });
    assert.deepEqual(m.renameKey(b('a:2'), b('z:deep:2')), { removedFrom: 'a:', addedTo: '' });
    assert.deepEqual(allKeys(m).sort(), ['a:one', 'z:deep:2']);
    assert.equal(m.addKeyNow(b('z:deep:3')), 'z:deep:');
    assert.equal(m.addKeyNow(b('z:deep:3')), 'z:deep:', 'adding twice keeps one');
    assert.equal(m.folder('z:')?.keyCount, 2);
    assert.ok(m.has(b('z:deep:3')));
    assert.ok(!m.has(b('z:deep:4')));
  });

  it('knows folder paths and parents without building folders', () => {
    const m = new KeyTreeModel(':');
    assert.equal(m.folderPathOf(b('a:b:c')), 'a:b:');
    assert.equal(m.folderPathOf(b('abc')), '');
    assert.equal(m.parentPath('a:b:'), 'a:');
    assert.equal(m.parentPath('a:'), '');
    assert.equal(m.parentPath(''), undefined);
  });

  it('clear() forgets everything', () => {
    const m = new KeyTreeModel(':');
    m.addKeys([b('a:1')]);
    m.children('a:');
    m.clear();
    assert.deepEqual(m.children(''), { folders: [], keys: [] });
    assert.deepEqual(m.children('a:'), { folders: [], keys: [] });
    assert.equal(m.loadedCount, 0);
  });

  it('places 200,000 keys from pages of a real SCAN, each exactly once, with counts that add up', async () => {
    const db = 9;
    const r = admin();
    await r.select(db);
    await r.flushdb();
    for (let i = 0; i < 200_000; i += 10_000) {
      const p = r.pipeline();
      for (let j = i; j < i + 10_000; j++) p.set(`ns${j % 7}:group${j % 13}:k${j}`, '1');
      await p.exec();
    }
    await r.set('loose', '1');
    try {
      const conn = await connect({}, undefined, db);
      const before = await commandCounts();
      const m = new KeyTreeModel(':');
      const pager = new KeyPager(conn, { count: 1000 });
      let pages = 0;
      while (!pager.done) {
        m.addKeys(await pager.next());
        pages++;
        // Like the tree: the root is shown after each page.
        if (pages % 50 === 0) m.children('');
      }
      const root = m.children('');
      assert.equal(root.folders.length, 7);
      assert.equal(
        root.folders.reduce((n, f) => n + f.keyCount, 0),
        200_000,
      );
      const seen = allKeys(m);
      assert.equal(seen.length, 200_001);
      assert.equal(new Set(seen).size, 200_001);
      assert.equal(m.children('ns3:').folders.length, 13);
      const after = await commandCounts();
      assert.equal(after.keys, before.keys, 'KEYS is never sent');
    } finally {
      await r.flushdb();
      await r.select(0);
    }
  });
});

describe('matchesGlob', () => {
  const cases: Array<[string, string, boolean]> = [
    ['*', 'anything', true],
    ['user:*', 'user:1', true],
    ['user:*', 'users:1', false],
    ['h?llo', 'hello', true],
    ['h?llo', 'hllo', false],
    ['h[ae]llo', 'hallo', true],
    ['h[ae]llo', 'hillo', false],
    ['h[^e]llo', 'hallo', true],
    ['h[^e]llo', 'hello', false],
    ['h[a-c]llo', 'hbllo', true],
    ['h[a-c]llo', 'hdllo', false],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
    ['*:cart', 'user:42:cart', true],
    ['', '', true],
    ['', 'x', false],
  ];
  for (const [pattern, key, expected] of cases) {
    it(`${JSON.stringify(pattern)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(key)}`, () => {
      assert.equal(matchesGlob(pattern, b(key)), expected);
    });
  }

  it('agrees with SCAN MATCH on the server', async () => {
    const r = admin();
    await r.select(10);
    await r.flushdb();
    const keys = ['user:1', 'user:2', 'users:1', 'a*b', 'axb', 'h[x]', 'hello', 'hallo', 'x:cart', 'x:y:cart'];
    for (const k of keys) await r.set(k, '1');
    try {
      for (const pattern of ['user:*', 'h[ae]llo', 'a\\*b', '*:cart', 'h\\[x\\]', '?ello', escapeGlob('a*b'), escapeGlob('h[x]')]) {
        let cursor = '0';
        const server = new Set<string>();
        do {
          const [next, page] = await r.scan(cursor, 'MATCH', pattern, 'COUNT', 100);
          cursor = next;
          page.forEach((k) => server.add(k));
        } while (cursor !== '0');
        const local = keys.filter((k) => matchesGlob(pattern, b(k)));
        assert.deepEqual(local.sort(), [...server].sort(), pattern);
      }
    } finally {
      await r.flushdb();
      await r.select(0);
    }
  });
});
