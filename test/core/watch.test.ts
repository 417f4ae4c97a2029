// Live hashes: an external writer changes a watched hash and the watcher says so, by the best mode the server
// and the user's ACL allow. Every case waits for the event itself (the suite's timeout bounds it), never a time.
import * as assert from 'node:assert/strict';
import { RedisConnection } from '../../src/core/connection';
import type { ConnectOptions } from '../../src/core/connection';
import type { KeyWatch, WatchEvent, WatchStatus, WatcherOptions } from '../../src/core/watch';
import { HashWatcher } from '../../src/core/watch';
import { FaultyRedis } from '../support/faultyRedis';
import { admin, connect, testServer } from './hooks';

/** Events of one watch, with a way to wait for the next one that matches. */
export class Events {
  readonly all: Array<WatchEvent & { at: number }> = [];
  private waiters: Array<{ test: (e: WatchEvent) => boolean; from: number; resolve: (e: WatchEvent) => void }> = [];
  readonly listener = (e: WatchEvent) => {
    this.all.push({ ...e, at: Date.now() });
    const i = this.all.length - 1;
    this.waiters = this.waiters.filter((w) => {
      if (i >= w.from && w.test(e)) {
        w.resolve(e);
        return false;
      }
      return true;
    });
  };

  /** The first event from index `from` on (default: from now) that passes `test`. */
  next(test: (e: WatchEvent) => boolean = () => true, from = this.all.length): Promise<WatchEvent> {
    const seen = this.all.slice(from).find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ test, from, resolve }));
  }
}

export function statusWaiter(watcher: HashWatcher): { seen: WatchStatus[]; until(state: WatchStatus['state']): Promise<WatchStatus> } {
  const seen: WatchStatus[] = [watcher.status()];
  const waiting: Array<{ state: string; resolve: (s: WatchStatus) => void }> = [];
  watcher.onStatus((s) => {
    seen.push(s);
    for (const w of waiting.splice(0)) {
      if (w.state === s.state) w.resolve(s);
      else waiting.push(w);
    }
  });
  return {
    seen,
    until(state) {
      const now = watcher.status();
      if (now.state === state) return Promise.resolve(now);
      return new Promise((resolve) => waiting.push({ state, resolve }));
    },
  };
}

const kind = (k: WatchEvent['kind']) => (e: WatchEvent) => e.kind === k;

describe('live hashes (watch)', function () {
  this.timeout(30_000);
  const watchers: HashWatcher[] = [];
  const users: string[] = [];
  let conn: RedisConnection;

  async function watcher(options: WatcherOptions = {}, c: RedisConnection = conn): Promise<HashWatcher> {
    const w = new HashWatcher(c, { minIntervalMs: 50, ...options });
    watchers.push(w);
    return w;
  }

  /** Watches `key` and resolves once the watch is set up (its first resync-free baseline read is done). */
  async function follow(w: HashWatcher, key: string, spec: Parameters<HashWatcher['watch']>[2] = {}): Promise<{ events: Events; handle: KeyWatch }> {
    const events = new Events();
    const handle = w.watch(key, events.listener, spec);
    const s = statusWaiter(w);
    const wanted = w.status().state === 'polling' || (await Promise.race([s.until('live'), s.until('polling')]));
    assert.ok(wanted);
    // the node's first resync tells every view to read what it shows: from then on, changes are events
    await events.next(kind('resync'), 0);
    return { events, handle };
  }

  async function user(name: string, rules: string[]): Promise<RedisConnection> {
    await admin().call('ACL', 'SETUSER', name, 'reset', 'on', '>pw', '~*', '&*', ...rules);
    users.push(name);
    return connect({ username: name }, 'pw');
  }

  before(async () => {
    conn = await connect();
  });
  beforeEach(async () => {
    await admin().flushall();
    await admin().hset('h', 'a', '1', 'b', '2', 'c', '3');
  });
  afterEach(async () => {
    await Promise.all(watchers.splice(0).map((w) => w.close()));
    for (const u of users.splice(0)) await admin().call('ACL', 'DELUSER', u);
    await admin().config('SET', 'notify-keyspace-events', '');
  });

  describe('with CLIENT TRACKING (no configuration)', () => {
    it('notices HSET, HDEL, a new field and DEL of the key, and says it is live', async () => {
      const w = await watcher();
      const { events } = await follow(w, 'h');
      assert.deepEqual(w.modes(), ['tracking']);
      assert.equal(w.status().label, 'live');
      await admin().hset('h', 'a', 'changed');
      await events.next(kind('changed'));
      await admin().hdel('h', 'b');
      await events.next(kind('changed'));
      await admin().hset('h', 'new', 'x');
      await events.next(kind('changed'));
      await admin().del('h');
      const gone = await events.next(kind('deleted'));
      assert.deepEqual(gone, { kind: 'deleted', key: Buffer.from('h'), type: 'none' });
      // recreated: it is a hash again
      await admin().hset('h', 'z', '1');
      await events.next(kind('changed'));
    });

    it('notices a RENAME away (deleted) and onto the key (changed), and a key replaced by another type', async () => {
      const w = await watcher();
      const { events } = await follow(w, 'h');
      await admin().rename('h', 'h2');
      await events.next(kind('deleted'));
      await admin().hset('other', 'f', 'v');
      await admin().rename('other', 'h');
      await events.next(kind('changed'));
      await admin().del('h');
      await admin().set('h', 'a string');
      const e = await events.next((x) => x.kind === 'deleted' && x.type === 'string');
      assert.equal(e.kind, 'deleted');
    });

    it('notices a field expiring on its own (HEXPIRE, servers with field TTLs)', async function () {
      if (!testServer().fieldTtl) {
        // Redis 7.0 and Valkey 8 have no field TTLs: nothing of this exists there.
        await assert.rejects(admin().call('HEXPIRE', 'h', '1', 'FIELDS', '1', 'a'));
        return;
      }
      const w = await watcher();
      const { events } = await follow(w, 'h');
      await admin().call('HPEXPIRE', 'h', '300', 'FIELDS', '1', 'a');
      await events.next(kind('changed'));
      // the expiry itself, later, by the server alone
      const from = events.all.length;
      await events.next(kind('changed'), from);
      assert.equal(await admin().hexists('h', 'a'), 0);
    });

    it('reports only the watched field of a value document, not its neighbours', async () => {
      const w = await watcher();
      const { events } = await follow(w, 'h', { fields: ['a'], fieldsOnly: true });
      await admin().hset('h', 'b', 'neighbour');
      await admin().hset('h', 'a', 'mine');
      const e = await events.next();
      assert.deepEqual(e, { kind: 'changed', key: Buffer.from('h'), fields: [Buffer.from('a')] });
      await admin().hdel('h', 'a');
      assert.deepEqual(await events.next(), { kind: 'changed', key: Buffer.from('h'), fields: [Buffer.from('a')] });
    });

    it('a view added to a live node hears of a change made before the key was tracked (its first read counts)', async () => {
      const w = await watcher({ minIntervalMs: 300 });
      await follow(w, 'h');
      await admin().hset('h2', 'f', 'before');
      const events = new Events();
      w.watch('h2', events.listener);
      // written before the watcher's first read of h2 (the one that starts tracking it)
      await admin().hset('h2', 'f', 'right away');
      assert.equal((await events.next()).kind, 'changed');
    });

    it('watches binary keys and fields', async () => {
      const key = Buffer.from([0xff, 0x00, 0x41]);
      await admin().hset(key, Buffer.from([0x80]), 'x');
      const w = await watcher();
      const events = new Events();
      w.watch(key, events.listener, { fields: [Buffer.from([0x80])], fieldsOnly: true });
      await events.next(kind('resync'), 0);
      await admin().hset(key, Buffer.from([0x80]), 'y');
      assert.deepEqual(await events.next(kind('changed')), { kind: 'changed', key, fields: [Buffer.from([0x80])] });
    });

    it('works for a restricted ACL user that may not use CONFIG: still live', async () => {
      const restricted = await user('rhe-watch-live', ['+@read', '+@hash', '+@connection', '+client|id', '+client|tracking', '+subscribe', '+unsubscribe', '+ping']);
      await assert.rejects(restricted.run((c) => c.call('CONFIG', 'GET', 'notify-keyspace-events')), /Permission denied/);
      const w = await watcher({ connect: { password: 'pw' }, allowConfig: true }, restricted);
      const { events } = await follow(w, 'h');
      assert.deepEqual(w.modes(), ['tracking']);
      assert.equal(w.status().state, 'live');
      await admin().hset('h', 'a', 'by someone else');
      await events.next(kind('changed'));
    });
  });

  describe('coalescing', () => {
    it('a burst of 5,000 writes gives a few events and re-reads, and the last write is still noticed', async () => {
      const w = await watcher({ minIntervalMs: 200 });
      const { events } = await follow(w, 'h');
      const readsBefore = w.reads;
      const from = events.all.length;
      const started = Date.now();
      for (let batch = 0; batch < 10; batch++) {
        const p = admin().pipeline();
        for (let i = 0; i < 500; i++) p.hset('h', 'a', String(batch * 500 + i));
        await p.exec();
      }
      const ended = Date.now();
      // after the burst, a view reading then sees the last value: an event comes after the last write
      await events.next((e) => e.kind === 'changed' && Date.now() >= ended, from);
      const after = events.all.slice(from);
      const bound = Math.ceil((Date.now() - started) / 200) + 2;
      assert.ok(after.length <= bound, `${after.length} events for 5,000 writes (bound ${bound})`);
      assert.ok(w.reads - readsBefore <= bound, `${w.reads - readsBefore} re-reads (bound ${bound})`);
      assert.equal(await admin().hget('h', 'a'), '4999');
    });
  });

  describe('keyspace notifications (tracking refused)', () => {
    const noTracking = ['+@read', '+@hash', '+@connection', '+client|id', '-client|tracking', '+subscribe', '+unsubscribe', '+ping'];

    it('are used when notify-keyspace-events already has what is needed', async () => {
      await admin().config('SET', 'notify-keyspace-events', 'KEA');
      const c = await user('rhe-watch-notify', [...noTracking, '+config|get']);
      const w = await watcher({ connect: { password: 'pw' } }, c);
      const { events } = await follow(w, 'h');
      assert.deepEqual(w.modes(), ['notifications']);
      assert.equal(w.status().label, 'live');
      await admin().hset('h', 'a', 'x');
      await events.next(kind('changed'));
      await admin().del('h');
      await events.next(kind('deleted'));
    });

    it('are turned on only when the caller allows it, adding to what was set', async () => {
      await admin().config('SET', 'notify-keyspace-events', 'Et');
      const c = await user('rhe-watch-config', [...noTracking, '+config|get', '+config|set']);
      const w = await watcher({ connect: { password: 'pw' }, allowConfig: true }, c);
      const { events } = await follow(w, 'h');
      assert.deepEqual(w.modes(), ['notifications']);
      const [, flags] = (await admin().config('GET', 'notify-keyspace-events')) as string[];
      for (const f of 'EtKghx') assert.ok(flags.includes(f), `${flags} keeps E and t and adds K, g, h, x`);
      await admin().hset('h', 'b', 'y');
      await events.next(kind('changed'));
    });

    it('left off without permission: falls back to polling and says why', async () => {
      const c = await user('rhe-watch-poll', [...noTracking, '+config|get']);
      const w = await watcher({ connect: { password: 'pw' }, pollMs: 100 }, c);
      const { events } = await follow(w, 'h', { fields: ['a'] });
      assert.deepEqual(w.modes(), ['polling']);
      const s = w.status();
      assert.equal(s.label, 'polling every 0.1 s');
      assert.match(s.detail ?? '', /Keyspace notifications are off/);
      assert.deepEqual(await admin().config('GET', 'notify-keyspace-events'), ['notify-keyspace-events', ''], 'CONFIG untouched');
      await admin().hset('h', 'a', 'polled');
      await events.next(kind('changed'));
    });
  });

  describe('polling', () => {
    it('notices a shown field changing, a field added or removed (HLEN), and the key deleted; not a hidden value', async () => {
      const w = await watcher({ mode: 'polling', pollMs: 100 });
      const { events } = await follow(w, 'h', { fields: ['a'] });
      assert.deepEqual(w.modes(), ['polling']);
      await admin().hset('h', 'c', 'hidden change');
      await admin().hset('h', 'a', 'shown change');
      await events.next(kind('changed'));
      // the hidden change alone made no event of its own: one event covered both
      const from = events.all.length;
      await admin().hset('h', 'added', '1');
      await events.next(kind('changed'), from);
      await admin().del('h');
      await events.next(kind('deleted'));
      await admin().hset('h', 'a', 'back');
      await events.next(kind('changed'));
    });
  });

  describe('polling, a view that scrolls', () => {
    it('a change made just before the view changed what it shows is still told (the read it asks for compares)', async () => {
      // no poll comes during the test: the only read after the change is the one the view's update asks for
      const w = await watcher({ mode: 'polling', pollMs: 600_000 });
      const { events, handle } = await follow(w, 'h', { fields: ['a'] });
      const from = events.all.length;
      await admin().hset('h', 'a', 'changed before the scroll');
      handle.update({ fields: ['a', 'b'] });
      await events.next(kind('changed'), from);
      // a field new to the view has nothing to compare with: its first read tells nothing
      const quiet = events.all.length;
      await admin().hset('h', 'c', 'not shown yet');
      handle.update({ fields: ['a', 'b', 'c'] });
      await admin().hset('h', 'a', 'after');
      handle.update({ fields: ['a', 'b', 'c'] });
      const e = await events.next(kind('changed'), quiet);
      assert.equal(e.kind, 'changed');
    });
  });

  describe('pause and resume', () => {
    it('a paused view gets nothing, then one resync on resume', async () => {
      const w = await watcher();
      const { events, handle } = await follow(w, 'h');
      handle.pause();
      const from = events.all.length;
      await admin().hset('h', 'a', 'while paused');
      // a second view on the same key still hears it, so the first one had its chance too
      const other = new Events();
      w.watch('h', other.listener);
      await admin().hset('h', 'a', 'again');
      await other.next(kind('changed'));
      assert.equal(events.all.length, from);
      handle.resume();
      assert.equal((await events.next(() => true, from)).kind, 'resync');
    });

    it('paused globally: the watch connections close; resumed: every view resyncs', async () => {
      const w = await watcher();
      const { events } = await follow(w, 'h');
      const before = await watchLinks();
      assert.equal(before, 2, 'a reader and a subscriber');
      await w.pause();
      assert.equal(w.status().label, 'paused');
      assert.equal(await watchLinks(), 0);
      const from = events.all.length;
      w.resume();
      await events.next(kind('resync'), from);
      await admin().hset('h', 'a', 'after resume');
      await events.next(kind('changed'));
    });

    it('mode off watches nothing and says so', async () => {
      const w = await watcher({ mode: 'off' });
      w.watch('h', () => assert.fail('no events when off'));
      assert.deepEqual(w.status(), { state: 'off', label: 'off' });
      assert.equal(await watchLinks(), 0);
    });
  });

  /** Watch connections on the server: a tracking reader (flag t) and a subscriber (flag P). */
  async function watchLinks(): Promise<number> {
    const list = String(await admin().call('CLIENT', 'LIST'));
    return list.split('\n').filter((l) => /name=redis-hash-explorer/.test(l) && /flags=\w*[tP]/.test(l)).length;
  }
});

describe('live hashes after faults', function () {
  this.timeout(60_000);
  let server: FaultyRedis;
  const watchers: HashWatcher[] = [];
  const opened: RedisConnection[] = [];
  const FAST: ConnectOptions = { commandTimeoutMs: 1000, connectTimeoutMs: 1000, maxReconnectDelayMs: 200 };

  async function setup(): Promise<{ w: HashWatcher; events: Events; states: ReturnType<typeof statusWaiter> }> {
    const c = await RedisConnection.open({ name: 'faulty', host: server.host, port: server.port }, FAST);
    opened.push(c);
    const w = new HashWatcher(c, { minIntervalMs: 50, connect: FAST });
    watchers.push(w);
    const events = new Events();
    w.watch('h', events.listener, {});
    const states = statusWaiter(w);
    await events.next((e) => e.kind === 'resync', 0);
    return { w, events, states };
  }

  before(async () => {
    server = await FaultyRedis.start();
  });
  after(async () => {
    await Promise.all(watchers.map((w) => w.close()));
    await Promise.all(opened.map((c) => c.close()));
    await server.stop();
  });
  beforeEach(async () => {
    await server.admin().flushall();
    await server.admin().hset('h', 'a', '1');
  });

  for (const type of ['normal', 'pubsub'] as const) {
    it(`CLIENT KILL of the ${type === 'normal' ? 'tracking reader' : 'subscriber'}: a resync, then live again`, async () => {
      const { events, w } = await setup();
      const from = events.all.length;
      await server.admin().call('CLIENT', 'KILL', 'TYPE', type);
      await events.next((e) => e.kind === 'resync', from);
      assert.equal(w.status().state, 'live');
      // tracking works again on the new links: a later write is noticed
      await server.admin().hset('h', 'a', 'after the kill');
      await events.next((e) => e.kind === 'changed');
    });
  }

  it('a server restart: reconnecting while it is down, a resync when it is back, then live again', async () => {
    const { events, states } = await setup();
    const from = events.all.length;
    await server.shutdown();
    await states.until('reconnecting');
    await server.restart();
    await events.next((e) => e.kind === 'resync', from);
    await states.until('live');
    // the restarted server came back empty: a view re-reading now finds the key gone; a new write is noticed
    await server.admin().hset('h', 'b', 'new data');
    await events.next((e) => e.kind === 'changed');
  });
});
