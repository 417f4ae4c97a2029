// Field TTLs in the hash editor, in the real extension host against the test server. On a server with
// field TTLs (Redis 7.4+, Redis 8) the table shows, sorts, sets and keeps them; on one without (Redis 7.0,
// Valkey 8) the same requests are refused in the extension and no TTL command reaches the server.
// Every result is checked in Redis with an independent client (HTTL, HEXISTS, INFO).
import * as assert from 'node:assert/strict';
import type Redis from 'ioredis';
import type { HashEditorTestHooks } from '../../../src/testHooks';
import { CONN_RO, allRows, closeEditors, counts, delta, open, rowNamed, setup, teardown } from './hashEditorSupport';
import { closeClients, waitFor } from './sidebarSupport';
import { serverBuild } from '../../support/redisServer';

const KEY = 'he:ttl';
const TTL_COMMANDS = ['httl', 'hpttl', 'hexpire', 'hpexpire', 'hexpireat', 'hpexpireat', 'hpersist', 'hexpiretime', 'hpexpiretime', 'hsetex', 'hgetex'];

describe('hash editor: field TTLs', function () {
  this.timeout(60_000);
  const ttlServer = serverBuild().fieldTtl;
  let r: Redis;
  let h: HashEditorTestHooks;

  /** HTTL of one field, read by the test's own client. */
  const httl = async (field: string, key = KEY): Promise<number> => Number(((await r.call('HTTL', key, 'FIELDS', '1', field)) as number[])[0]);
  const errorReplies = async (): Promise<number> => Number(/^total_error_replies:(\d+)/m.exec(await r.info('stats'))?.[1] ?? NaN);
  const gen = () => h.status().gen;
  const refused = /Field TTLs need Redis 7\.4 or later \(or Valkey 9\); this server is .+\. Nothing was changed\./;

  before(async () => {
    r = await setup();
  });
  after(async () => {
    await teardown();
    closeClients();
  });
  beforeEach(async () => {
    await r.del(KEY);
    await r.hset(KEY, 'a', '1', 'b', '2', 'plain', 'p');
    if (ttlServer) await r.call('HEXPIRE', KEY, '3600', 'FIELDS', '2', 'a', 'b');
    h = await open(KEY);
    await h.loaded();
  });
  afterEach(closeEditors);

  it('shows each row with its field TTL where the server has them, and no TTL column and no TTL command where not', async () => {
    const before = await counts(r);
    const errorsBefore = await errorReplies();
    assert.equal(h.header()?.fieldTtl, ttlServer);
    const rows = await allRows(h);
    if (ttlServer) {
      const a = rows.find((x) => x.field === 'a');
      assert.ok(a?.ttl !== undefined && a.ttl > 3500 && a.ttl <= 3600, `ttl of a: ${a?.ttl}`);
      assert.equal(rows.find((x) => x.field === 'plain')?.ttl, -1);
      assert.ok(delta(before, await counts(r), 'httl') >= 1);
      return;
    }
    assert.ok(rows.every((x) => x.ttl === undefined));
    // the TTL requests are refused before anything is sent
    const a = await rowNamed(h, 'a');
    await assert.rejects(h.request('setFieldTtl', { gen: gen(), id: a.id, ttl: 100 }), refused);
    await assert.rejects(h.request('setFieldTtl', { gen: gen(), id: a.id, ttl: 0 }), refused);
    await assert.rejects(h.request('add', { field: { text: 'n', utf8: true }, value: { text: 'v', utf8: true }, ttl: 60 }), refused);
    await assert.rejects(h.request('query', { match: '', filter: '', sort: { by: 'ttl', descending: false } }), refused);
    assert.equal(h.status().view.sort, null);
    const after = await counts(r);
    for (const cmd of [...TTL_COMMANDS, 'eval', 'hset']) assert.equal(delta(before, after, cmd), 0, cmd);
    // a command the server does not know is counted nowhere in commandstats, but is an error reply
    assert.equal(await errorReplies(), errorsBefore, 'an unknown (TTL) command reached the server');
    assert.equal(await r.hexists(KEY, 'n'), 0);
  });

  it('sets, changes and removes a field TTL through the editor; the row shows it', async () => {
    const plain = await rowNamed(h, 'plain');
    if (!ttlServer) {
      await assert.rejects(h.request('setFieldTtl', { gen: gen(), id: plain.id, ttl: 500 }), refused);
      assert.equal(await r.hget(KEY, 'plain'), 'p');
      return;
    }
    assert.deepEqual(await h.request('setFieldTtl', { gen: gen(), id: plain.id, ttl: 500 }), { ttl: 500 });
    const set = await httl('plain');
    assert.ok(set > 490 && set <= 500, `HTTL after set: ${set}`);
    const shown = (await rowNamed(h, 'plain')).ttl ?? 0;
    assert.ok(shown > 490 && shown <= 500, `row ttl: ${shown}`);
    await h.request('setFieldTtl', { gen: gen(), id: plain.id, ttl: 90 });
    const changed = await httl('plain');
    assert.ok(changed > 80 && changed <= 90, `HTTL after change: ${changed}`);
    assert.deepEqual(await h.request('setFieldTtl', { gen: gen(), id: plain.id, ttl: 0 }), { ttl: -1 });
    assert.equal(await httl('plain'), -1);
    assert.equal((await rowNamed(h, 'plain')).ttl, -1);
    // -1 removes too; the value was never touched
    const a = await rowNamed(h, 'a');
    await h.request('setFieldTtl', { gen: gen(), id: a.id, ttl: -1 });
    assert.equal(await httl('a'), -1);
    assert.equal(await r.hget(KEY, 'a'), '1');
    assert.equal(await r.hget(KEY, 'plain'), 'p');
    // the other field kept its TTL
    assert.ok((await httl('b')) > 3500);
  });

  it('refuses a TTL that is not one, and any TTL on a read-only connection, writing nothing', async () => {
    const a = await rowNamed(h, 'a');
    const before = await counts(r);
    for (const ttl of [1.5, -2, '60', null, 2 ** 53]) {
      const reply = await h.send({ kind: 'request', id: 1_000_000_100, method: 'setFieldTtl', params: { gen: gen(), id: a.id, ttl } });
      assert.ok(reply && reply.ok === false, `accepted ${JSON.stringify(ttl)}`);
      assert.match(reply.error, /^Invalid request/);
    }
    const ro = await open(KEY, CONN_RO);
    await ro.loaded();
    const roRow = await rowNamed(ro, 'plain');
    await assert.rejects(ro.request('setFieldTtl', { gen: ro.status().gen, id: roRow.id, ttl: 100 }), ttlServer ? /read-only/ : refused);
    await assert.rejects(ro.request('add', { field: { text: 'n', utf8: true }, value: { text: 'v', utf8: true }, ttl: 100 }), ttlServer ? /read-only/ : refused);
    if (ttlServer) {
      // past the server's limit (2^48 ms): our message, not the server's
      await assert.rejects(h.request('setFieldTtl', { gen: gen(), id: a.id, ttl: Math.floor(2 ** 48 / 1000) - 1000 }), /A field TTL can be at most [\d,]+ seconds; nothing was changed\./);
      assert.ok((await httl('a')) > 3500);
      assert.equal(await httl('plain'), -1);
    }
    const after = await counts(r);
    for (const cmd of ['hexpire', 'hpersist', 'eval', 'hset']) assert.equal(delta(before, after, cmd), 0, cmd);
    assert.equal(await r.hexists(KEY, 'n'), 0);
  });

  it('an edit, an overwrite after a conflict and a rename through the editor keep the field TTL', async () => {
    const a = await rowNamed(h, 'a');
    assert.deepEqual(await h.request('edit', { gen: gen(), id: a.id, value: { text: 'edited', utf8: true } }), { status: 'ok' });
    assert.equal(await r.hget(KEY, 'a'), 'edited');
    const b = await rowNamed(h, 'b');
    // changed elsewhere by a command that keeps its TTL (a plain HSET would clear it)
    await r.hincrby(KEY, 'b', 1);
    const conflict = await h.request('edit', { gen: gen(), id: b.id, value: { text: 'mine', utf8: true } });
    assert.ok(conflict.status === 'conflict');
    assert.deepEqual(await h.request('resolve', { token: conflict.token, value: { text: 'mine', utf8: true } }), { status: 'ok' });
    assert.equal(await r.hget(KEY, 'b'), 'mine');
    assert.deepEqual(await h.request('rename', { gen: gen(), id: a.id, newName: { text: 'a2', utf8: true } }), { status: 'ok' });
    assert.equal(await r.hget(KEY, 'a2'), 'edited');
    if (ttlServer) {
      const a2 = await httl('a2');
      assert.ok(a2 > 3500 && a2 <= 3600, `TTL after edit and rename: ${a2}`);
      assert.ok(((await rowNamed(h, 'a2')).ttl ?? 0) > 3500, 'the renamed row shows the TTL');
      const bTtl = await httl('b');
      assert.ok(bTtl > 3500 && bTtl <= 3600, `TTL after the overwrite: ${bTtl}`);
      assert.equal(await httl('plain'), -1, 'a field without a TTL stays without one');
    }
  });

  it('adds a field with a TTL in one step; overwriting an existing field gives it the TTL typed', async () => {
    const add = (field: string, value: string, ttl?: number) =>
      h.request('add', { field: { text: field, utf8: true }, value: { text: value, utf8: true }, ...(ttl === undefined ? {} : { ttl }) });
    if (!ttlServer) {
      await assert.rejects(add('new', 'v', 120), refused);
      assert.equal(await r.hexists(KEY, 'new'), 0);
      // without a TTL it is the plain add
      assert.deepEqual(await add('new', 'v'), { status: 'ok' });
      assert.equal(await r.hget(KEY, 'new'), 'v');
      return;
    }
    assert.deepEqual(await add('new', 'v', 120), { status: 'ok' });
    assert.equal(await r.hget(KEY, 'new'), 'v');
    const t = await httl('new');
    assert.ok(t > 110 && t <= 120, `HTTL of the added field: ${t}`);
    const row = await rowNamed(h, 'new');
    assert.ok(row.ttl !== undefined && row.ttl > 110, `row ttl ${row.ttl}`);
    assert.deepEqual(await add('new0', 'v', 0), { status: 'ok' });
    assert.equal(await httl('new0'), -1);
    // an existing name: nothing written until the user overwrites, then value and TTL
    const exists = await add('plain', 'replaced', 200);
    assert.ok(exists.status === 'exists');
    assert.equal(await r.hget(KEY, 'plain'), 'p');
    assert.equal(await httl('plain'), -1);
    assert.deepEqual(await h.request('resolve', { token: exists.token, value: { text: 'replaced', utf8: true } }), { status: 'ok' });
    assert.equal(await r.hget(KEY, 'plain'), 'replaced');
    const p = await httl('plain');
    assert.ok(p > 190 && p <= 200, `HTTL after the overwrite: ${p}`);
  });

  it('a field deleted meanwhile: setting its TTL says it no longer exists, the row goes, nothing is created', async () => {
    const b = await rowNamed(h, 'b');
    await r.hdel(KEY, 'b');
    await assert.rejects(
      h.request('setFieldTtl', { gen: gen(), id: b.id, ttl: 100 }),
      ttlServer ? /Field "b" no longer exists on the server \(deleted meanwhile\?\); nothing was changed\.$/ : refused,
    );
    assert.equal(await r.hexists(KEY, 'b'), 0);
    if (ttlServer) assert.ok(!(await allRows(h)).some((x) => x.field === 'b'), 'the row is gone');
  });

  /**
   * A hash whose field `zzz` has a 1-second TTL and sits past the rows the webview shows (sorted by name,
   * 300 fields before it): only the test's own requests fetch it, so the webview's countdown never races them.
   */
  async function farField(): Promise<{ e: HashEditorTestHooks; id: number }> {
    const key = 'he:ttl-far';
    await r.del(key);
    const args: string[] = [];
    for (let i = 0; i < 300; i++) args.push(`f${String(i).padStart(3, '0')}`, 'v');
    await r.hset(key, ...args, 'zzz', 'short-lived');
    const e = await open(key);
    await e.loaded();
    await e.request('query', { match: '', filter: '', sort: { by: 'field', descending: false } });
    await r.call('HEXPIRE', key, '1', 'FIELDS', '1', 'zzz');
    const st = e.status();
    const reply = await e.request('rows', { version: st.view.version, start: 300, count: 1 });
    const row = reply?.rows[0];
    assert.ok(row && row.field === 'zzz' && row.ttl !== undefined && row.ttl >= 0 && row.ttl <= 1, `row ${JSON.stringify(row)}`);
    await waitFor('the field to expire on the server', async () => (await r.hexists(key, 'zzz')) === 0);
    return { e, id: row.id };
  }

  it('an edit of a field whose TTL ran out says it expired; a deleted one is still a conflict', async () => {
    if (ttlServer) {
      const { e, id } = await farField();
      const before = await counts(r);
      await assert.rejects(
        e.request('edit', { gen: e.status().gen, id, value: { text: 'too late', utf8: true } }),
        /Field "zzz" expired on the server \(its TTL ran out\); nothing was written\.$/,
      );
      assert.equal(await r.hexists('he:ttl-far', 'zzz'), 0, 'nothing was written');
      assert.equal(delta(before, await counts(r), 'hset'), 0);
      assert.ok(!(await allRows(e)).some((x) => x.field === 'zzz'), 'the row is gone');
      await r.del('he:ttl-far');
    }
    // a field deleted by someone (with a long TTL, or none on a server without them): a conflict to resolve
    const a = await rowNamed(h, 'a');
    await r.hdel(KEY, 'a');
    const res = await h.request('edit', { gen: gen(), id: a.id, value: { text: 'x', utf8: true } });
    assert.ok(res.status === 'conflict' && res.current === null, JSON.stringify(res));
    assert.equal(await r.hexists(KEY, 'a'), 0);
  });

  it('a row whose field expired leaves the table the next time its rows are fetched', async () => {
    if (!ttlServer) {
      assert.ok((await allRows(h)).every((x) => x.ttl === undefined));
      return;
    }
    const { e } = await farField();
    const st = e.status();
    assert.equal(st.view.length, 301);
    const reply = await e.request('rows', { version: st.view.version, start: 300, count: 1 });
    assert.equal(reply?.rows[0]?.ttl, -2, 'the reply that finds it gone says so');
    assert.equal(e.status().view.length, 300);
    assert.equal(e.status().loaded, 300);
    assert.ok(!(await allRows(e)).some((x) => x.field === 'zzz'));
    await r.del('he:ttl-far');
  });

  it('sorts by TTL over the loaded fields: soonest first, fields without a TTL after; descending the reverse', async () => {
    const SORT_KEY = 'he:ttl-sort';
    const n = 2500;
    await r.del(SORT_KEY);
    const args: string[] = [];
    for (let i = 0; i < n; i++) args.push(`f${i}`, `v${i}`);
    await r.hset(SORT_KEY, ...args);
    if (ttlServer) {
      const p = r.pipeline();
      // even fields get TTLs that fall as i grows; odd fields none
      for (let i = 0; i < n; i += 2) p.call('HEXPIRE', SORT_KEY, String(100_000 - i * 10), 'FIELDS', '1', `f${i}`);
      await p.exec();
    }
    const s = await open(SORT_KEY);
    await s.loaded();
    if (!ttlServer) {
      await assert.rejects(s.request('query', { match: '', filter: '', sort: { by: 'ttl', descending: false } }), refused);
      return;
    }
    const before = await counts(r);
    const st = await s.request('query', { match: '', filter: '', sort: { by: 'ttl', descending: false } });
    assert.deepEqual(st.view.sort, { by: 'ttl', descending: false });
    assert.equal(st.view.ttlUnknown, 0, 'every loaded field had its TTL read');
    assert.equal(st.ttlRead, undefined);
    assert.ok(delta(before, await counts(r), 'httl') >= 1);
    const rows = await allRows(s);
    assert.equal(rows.length, n);
    const withTtl = rows.slice(0, n / 2);
    assert.deepEqual(
      withTtl.map((x) => x.field),
      Array.from({ length: n / 2 }, (_, k) => `f${n - 2 - 2 * k}`),
      'soonest expiry first',
    );
    assert.ok(rows.slice(n / 2).every((x) => x.ttl === -1 && Number(x.field.slice(1)) % 2 === 1), 'then the fields without a TTL');
    await s.request('query', { match: '', filter: '', sort: { by: 'ttl', descending: true } });
    const desc = await allRows(s);
    assert.ok(desc.slice(0, n / 2).every((x) => x.ttl === -1), 'no TTL first when descending');
    assert.deepEqual(desc.slice(n / 2).map((x) => x.field), withTtl.map((x) => x.field).reverse());
    // with a filter only the matching rows are sorted
    const filtered = await s.request('query', { match: '', filter: 'f10', sort: { by: 'ttl', descending: false } });
    assert.equal(filtered.view.ttlUnknown, 0);
    const matching = Array.from({ length: n }, (_, i) => i).filter((i) => `f${i}`.includes('f10'));
    const timed = matching.filter((i) => i % 2 === 0).sort((x, y) => y - x).map((i) => `f${i}`);
    const names = (await allRows(s)).map((x) => x.field);
    assert.deepEqual(names.slice(0, timed.length), timed, 'the matching fields with a TTL, soonest first');
    assert.deepEqual(names.slice(timed.length).sort(), matching.filter((i) => i % 2 === 1).map((i) => `f${i}`).sort(), 'then the matching ones without');
    await r.del(SORT_KEY);
  });
});
