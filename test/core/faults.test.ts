// Faults on a real redis-server the tests control: a database it lacks, a paused process, a restart on the same
// port, CLIENT KILL, DEBUG SLEEP, CLIENT PAUSE, a password changed while connected, an ACL user without writes.
// Every case checks the message (ours: what happened, where, whether anything was written) and Redis itself.
import * as assert from 'node:assert/strict';
import { RedisConnection } from '../../src/core/connection';
import type { ConnectOptions } from '../../src/core/connection';
import { RedisExplorerError } from '../../src/core/errors';
import { addField, compareAndSet, createHash, getField, renameField, setField } from '../../src/core/hashOps';
import { fieldRenamed, fieldSet, keyRenamed, settle } from '../../src/core/settle';
import { renameKey } from '../../src/core/keyOps';
import type { ConnectionProfile } from '../../src/core/profile';
import { FaultyRedis, LIBRARY_PHRASES } from '../support/faultyRedis';


function assertOurs(err: unknown, code: string, message: RegExp, written?: 'no' | 'maybe'): RedisExplorerError {
  assert.ok(err instanceof RedisExplorerError, `expected our error, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  assert.match(err.message, message);
  assert.doesNotMatch(err.message, LIBRARY_PHRASES);
  if (written) assert.equal(err.written, written, err.message);
  return err;
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail('resolved; a failure was expected');
}

describe('faults', function () {
  this.timeout(60_000);
  let server: FaultyRedis;
  const opened: RedisConnection[] = [];
  const FAST: ConnectOptions = { commandTimeoutMs: 400, connectTimeoutMs: 1000, maxReconnectDelayMs: 200 };

  const profile = (extra: Partial<ConnectionProfile> = {}): ConnectionProfile => ({ name: 'faulty', host: server.host, port: server.port, ...extra });
  async function open(extra: Partial<ConnectionProfile> = {}, options: ConnectOptions = FAST): Promise<RedisConnection> {
    const c = await RedisConnection.open(profile(extra), options);
    opened.push(c);
    return c;
  }

  before(async () => {
    server = await FaultyRedis.start();
  });
  after(async () => {
    await Promise.all(opened.map((c) => c.close()));
    await server.stop();
  });
  beforeEach(async () => {
    await server.admin().flushall();
  });

  describe('a database the server does not have', () => {
    it('is refused when connecting, with the range, and nothing is written anywhere', async () => {
      const err = await failure(RedisConnection.open(profile({ db: 99 }), FAST));
      assertOurs(err, 'INVALID', /has no database 99 \(it has 0 to 15\)\. Nothing was written\./);
      assert.match((err as Error).message, new RegExp(`127\\.0\\.0\\.1:${server.port}`));
    });

    it('is refused for a db asked by a caller too, so a write cannot land in db 0', async () => {
      const err = await failure((async () => createHash(await RedisConnection.open(profile(), { ...FAST, db: 16 }), 'k', 'f', 'v'))());
      assertOurs(err, 'INVALID', /has no database 16/);
      assert.equal(await server.admin().dbsize(), 0, 'db 0 is untouched');
    });

    it('refuses a database number that is not one, before connecting', async () => {
      assertOurs(await failure(RedisConnection.open(profile({ db: -1 }), FAST)), 'INVALID', /not a database number/);
      assertOurs(await failure(RedisConnection.open(profile({ db: 1.5 }), FAST)), 'INVALID', /not a database number/);
    });

    it('selects the database when the server has it (a write lands there and only there)', async () => {
      const c = await open({ db: 15 });
      await createHash(c, 'in15', 'f', 'v');
      await server.admin().select(15);
      assert.equal(await server.admin().hget('in15', 'f'), 'v');
      await server.admin().select(0);
      assert.equal(await server.admin().exists('in15'), 0);
    });
  });

  describe('a paused server (SIGSTOP)', () => {
    afterEach(() => {
      try {
        server.resume();
      } catch {
        // not paused
      }
    });

    it('a read times out with our message: nothing was changed', async () => {
      const c = await open();
      server.pause();
      assertOurs(await failure(getField(c, 'k', 'f')), 'TIMEOUT', /did not answer in time; nothing was changed\./, 'no');
    });

    it('a write times out as "may still be applied", and indeed is applied when the server resumes', async () => {
      const c = await open();
      await server.admin().hset('k', 'f', 'old');
      server.pause();
      const err = await failure(compareAndSet(c, 'k', 'f', 'old', 'new'));
      assertOurs(err, 'TIMEOUT', new RegExp(`server \\(127\\.0\\.0\\.1:${server.port}\\) did not answer in time; the change may still be applied\\.`), 'maybe');
      server.resume();
      assert.equal(await server.admin().hget('k', 'f'), 'new', 'the write the server received ran once it resumed');
      // the same client works again: no reconnect was needed
      assert.equal((await getField(c, 'k', 'f'))?.toString(), 'new');
    });

    it('a rename that timed out is checked behind it once the server answers, and reported as applied', async () => {
      const c = await open();
      await server.admin().hset('h', 'a', '1');
      server.pause();
      const err = await failure(renameField(c, 'h', Buffer.from('a'), Buffer.from('b')));
      assertOurs(err, 'TIMEOUT', /may still be applied/, 'maybe');
      server.resume();
      await settle(c, err, 'rename', fieldRenamed(c, 'h', Buffer.from('a'), Buffer.from('b')));
      assert.deepEqual(await server.admin().hgetall('h'), { b: '1' });
    });

    it('when the check gets no answer either, it says the change may still be applied', async () => {
      const c = await open();
      await server.admin().hset('h', 'a', '1');
      server.pause();
      const err = await failure(renameField(c, 'h', Buffer.from('a'), Buffer.from('b')));
      const final = await failure(settle(c, err, 'rename', fieldRenamed(c, 'h', Buffer.from('a'), Buffer.from('b'))));
      assertOurs(final, 'TIMEOUT', /the rename may still be applied \(it could not be checked\)/, 'maybe');
    });
  });

  describe('a write held by CLIENT PAUSE, its client then killed', () => {
    it('is checked after reconnecting and reported as not applied; nothing changed in Redis', async () => {
      const c = await open();
      const admin = server.admin();
      await admin.hset('h', 'a', '1');
      const id = String(await c.client.client('ID'));
      await admin.call('CLIENT', 'PAUSE', '20000', 'WRITE');
      let err: unknown;
      try {
        err = await failure(renameField(c, 'h', Buffer.from('a'), Buffer.from('b')));
        assertOurs(err, 'TIMEOUT', /may still be applied/, 'maybe');
        await admin.call('CLIENT', 'KILL', 'ID', id);
      } finally {
        await admin.call('CLIENT', 'UNPAUSE');
      }
      const final = await failure(settle(c, err, 'rename', fieldRenamed(c, 'h', Buffer.from('a'), Buffer.from('b'))));
      assertOurs(final, 'TIMEOUT', /did not answer in time; checked afterwards: the rename was not applied, nothing was written\./, 'no');
      assert.deepEqual(await admin.hgetall('h'), { a: '1' });
    });

    it('a key rename is checked the same way; a compare-and-set whose key moved away cannot be told', async () => {
      const c = await open();
      const admin = server.admin();
      await admin.hset('k1', 'f', 'old');
      await admin.call('CLIENT', 'PAUSE', '20000', 'WRITE');
      let renameErr: unknown;
      let casErr: unknown;
      try {
        renameErr = await failure(renameKey(c, 'k1', 'k2'));
        casErr = await failure(compareAndSet(c, 'k1', 'f', 'old', 'new'));
      } finally {
        await admin.call('CLIENT', 'UNPAUSE');
      }
      // both ran once the pause ended (in order: the rename, then the compare-and-set on a key now gone)
      await settle(c, renameErr, 'rename', keyRenamed(c, 'k1', 'k2'));
      const final = await failure(settle(c, casErr, 'change', fieldSet(c, 'k1', Buffer.from('f'), Buffer.from('old'), Buffer.from('new'))));
      assertOurs(final, 'TIMEOUT', /the change may still be applied \(it could not be checked\)/, 'maybe');
      assert.deepEqual(await admin.hgetall('k2'), { f: 'old' });
      assert.equal(await admin.exists('k1'), 0);
    });
  });

  describe('a server shut down and started again on the same port', () => {
    it('fails fast while it is down (nothing was written), then the same connection works again by itself', async () => {
      const c = await open();
      let reconnects = 0;
      c.client.on('reconnecting', () => reconnects++);
      await server.shutdown();
      // Down for longer than the old limit of 5 reconnect attempts: counted, not timed.
      while (reconnects < 8) await new Promise((r) => c.client.once('reconnecting', r));
      const err = await failure(createHash(c, 'k', 'f', 'v'));
      assertOurs(err, 'CLOSED', new RegExp(`Not connected to the server 127\\.0\\.0\\.1:${server.port}: the connection was lost and is reconnecting; nothing was written\\.`), 'no');
      await server.restart();
      assert.equal(await c.whenReady(30_000), true, 'reconnected by itself');
      await createHash(c, 'k', 'f', 'v');
      assert.equal(await server.admin().hget('k', 'f'), 'v');
    });

    it('keeps its database across the restart (a write after it lands in the same db)', async () => {
      const c = await open({ db: 5 });
      await server.restart();
      assert.equal(await c.whenReady(30_000), true);
      await createHash(c, 'k5', 'f', 'v');
      const admin = server.admin();
      assert.equal(await admin.exists('k5'), 0, 'not in db 0');
      await admin.select(5);
      assert.equal(await admin.hget('k5', 'f'), 'v');
      await admin.select(0);
    });

    it('a write in flight when the server dies says the change may still be applied, never library text', async () => {
      const c = await open({}, { ...FAST, commandTimeoutMs: 20_000 });
      const sleeping = server.sleep(2).catch(() => undefined);
      // DEBUG SLEEP holds the server; the write waits in its socket, then the process dies.
      await new Promise((r) => setTimeout(r, 100));
      const pending = failure(createHash(c, 'k', 'f', 'v'));
      await new Promise((r) => setTimeout(r, 100));
      await server.shutdown();
      assertOurs(await pending, 'CLOSED', /was lost before it answered; the change may still be applied\./, 'maybe');
      await sleeping;
      await server.restart();
      assert.equal(await c.whenReady(30_000), true);
      assert.equal(await server.admin().exists('k'), 0, 'the write was never run (and never sent again)');
    });
  });

  describe('a server restarted with fewer databases than the connection uses', () => {
    // A server of its own: this one comes back with 4 databases and must not leave the others that way.
    let small: FaultyRedis;
    before(async () => {
      small = await FaultyRedis.start();
    });
    after(async () => {
      await small.stop();
    });

    it('no write sent as it comes back runs anywhere: each fails as not written, then the connection is closed', async () => {
      const c = await RedisConnection.open({ name: 'db7', host: small.host, port: small.port, db: 7 }, FAST);
      opened.push(c);
      await small.shutdown();
      // Every core write path, over and over while it reconnects, and once more the moment it says ready.
      let n = 0;
      const writes = (): Array<Promise<unknown>> => {
        const k = `w${n++}`;
        return [
          createHash(c, k, 'f', 'v'),
          setField(c, `${k}s`, 'f', 'v'),
          addField(c, `${k}a`, 'f', 'v', false),
          compareAndSet(c, `${k}c`, 'f', null, 'v'),
          c.run((r) => r.hset(`${k}r`, 'f', 'v')),
          c.run((r) => r.multi().hset(`${k}m`, 'f', 'v').exec()),
          c.run((r) => r.call('HSET', `${k}x`, 'f', 'v')),
        ];
      };
      // A write that resolved ran somewhere: the loop stops there and the checks below say where it landed.
      let ran = 0;
      const outcomes: Array<Promise<unknown>> = [];
      const send = () => outcomes.push(...writes().map((p) => p.then(() => void ran++, (err: unknown) => err)));
      let readies = 0;
      c.onState((state) => state === 'ready' && (readies++, send()));
      const restarting = small.restart(['--databases', '4']);
      const until = Date.now() + 20_000;
      while (c.status !== 'end' && ran === 0 && Date.now() < until) {
        send();
        // Densely while it is handshaking or ready, a little apart while it is down.
        await new Promise((r) => (c.status === 'connect' || c.status === 'ready' ? setImmediate(r) : setTimeout(r, 5)));
      }
      await restarting;
      const errors = await Promise.all(outcomes);
      const admin = small.admin();
      for (const db of [0, 1, 2, 3]) {
        await admin.select(db);
        assert.deepEqual(await admin.keys('*'), [], `nothing landed in db ${db}`);
      }
      assert.equal(ran, 0, 'no write resolved');
      assert.equal(c.status, 'end', 'the connection gave up');
      assert.equal(readies, 0, 'never reported as ready');
      assert.ok(errors.length > 0);
      for (const err of errors) {
        assert.ok(err instanceof RedisExplorerError, `expected our error, got ${String(err)}`);
        assert.equal(err.written, 'no', err.message);
        assert.match(err.message, /[Nn]othing was written\./);
        assert.doesNotMatch(err.message, LIBRARY_PHRASES);
      }
      assertOurs(c.failure, 'INVALID', new RegExp(`The server 127\\.0\\.0\\.1:${small.port} has no database 7 any more: the connection was closed\\. Nothing was written\\.`));
      // and after it: the same message, at once
      assertOurs(await failure(createHash(c, 'late', 'f', 'v')), 'INVALID', /has no database 7 any more/);
    });
  });

  describe('CLIENT KILL', () => {
    it('the connection comes back by itself and a read on it works; nothing is sent twice', async () => {
      const c = await open();
      await server.admin().hset('h', 'n', '0');
      const closed = new Promise((r) => c.client.once('close', r));
      await server.killClients();
      await closed;
      assert.equal(await c.whenReady(10_000), true);
      await c.run((r) => r.hincrby('h', 'n', 1));
      assert.equal(await server.admin().hget('h', 'n'), '1');
    });
  });

  describe('DEBUG SLEEP', () => {
    it('a write during it times out as "may still be applied" and is applied once the server wakes', async () => {
      const c = await open();
      await server.admin().hset('k', 'f', 'old');
      const sleeping = server.sleep(2);
      await new Promise((r) => setTimeout(r, 100));
      assertOurs(await failure(compareAndSet(c, 'k', 'f', 'old', 'new')), 'TIMEOUT', /may still be applied/, 'maybe');
      await sleeping;
      assert.equal(await server.admin().hget('k', 'f'), 'new');
    });
  });

  describe('credentials changed on the server', () => {
    it('a password changed while connected: the open connection works until it must reconnect, then says authentication failed', async () => {
      const admin = server.admin();
      await admin.call('ACL', 'SETUSER', 'pw-user', 'on', '>first', '~*', '&*', '+@all');
      const c = await open({ username: 'pw-user' }, { ...FAST, password: 'first' });
      await admin.call('ACL', 'SETUSER', 'pw-user', 'resetpass', '>second');
      await createHash(c, 'still', 'f', 'v');
      const ended = new Promise((r) => c.client.once('end', r));
      await admin.call('CLIENT', 'KILL', 'USER', 'pw-user');
      await ended;
      const err = await failure(createHash(c, 'after', 'f', 'v'));
      assertOurs(err, 'AUTH', /Authentication failed .*on reconnecting; the connection was closed\./);
      assert.equal(await admin.exists('after'), 0);
      await admin.call('ACL', 'DELUSER', 'pw-user');
    });

    it('an ACL user without write rights: the write is refused, nothing was written', async () => {
      const admin = server.admin();
      await admin.call('ACL', 'SETUSER', 'ro-user', 'on', '>pw', '~*', '+@read', '+@connection', '-@write', '-@scripting');
      await admin.hset('h', 'a', '1');
      const c = await open({ username: 'ro-user' }, { ...FAST, password: 'pw' });
      assertOurs(await failure(renameField(c, 'h', Buffer.from('a'), Buffer.from('b'))), 'NOPERM', /Permission denied by the server's ACL.*Nothing was written\./, 'no');
      assertOurs(await failure(c.run((r) => r.hset('h', 'a', '2'))), 'NOPERM', /Nothing was written\./, 'no');
      assert.deepEqual(await admin.hgetall('h'), { a: '1' });
      await admin.call('ACL', 'DELUSER', 'ro-user');
    });
  });

  describe('TLS offered to a plain-text port', () => {
    it('says the TLS handshake failed, not that the server timed out', async () => {
      const err = await failure(RedisConnection.open(profile({ tls: true }), { connectTimeoutMs: 1000 }));
      assertOurs(err, 'TLS', /TLS handshake failed .*is TLS enabled on that port\?/);
    });
  });
});
