import * as assert from 'node:assert/strict';
import { RedisConnection } from '../../src/core/connection';
import { RedisExplorerError } from '../../src/core/errors';
import { getField, setField } from '../../src/core/hashOps';
import { fieldSet, settle } from '../../src/core/settle';
import { getServerInfo } from '../../src/core/serverInfo';
import { freePort } from '../support/redisServer';
import { connectTo, sentinelProfile, testSentinel } from './hooks';

function ours(err: unknown): RedisExplorerError {
  assert.ok(err instanceof RedisExplorerError, `not our error: ${String(err)}`);
  assert.doesNotMatch(err.message, /ioredis|All sentinels are unreachable|invalid reply|at .*\.js:\d+/);
  return err;
}

async function failing(p: Promise<unknown>): Promise<RedisExplorerError> {
  try {
    await p;
  } catch (err) {
    return ours(err);
  }
  assert.fail('expected a rejection');
}

async function waitCount(port: number, command: string): Promise<number> {
  const text = await testSentinel().admin(port).info('commandstats');
  const m = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

describe('sentinel', function () {
  this.timeout(120000);

  it('connects to the master the sentinels name, and confirms each write on a replica (WAIT 1)', async () => {
    const conn = await connectTo(sentinelProfile());
    const master = await testSentinel().masterPort();
    const info = await getServerInfo(conn);
    assert.equal(info.mode, 'standalone');
    const waitsBefore = await waitCount(master, 'wait');
    await setField(conn, 'sentinel:h', 'f', 'v1');
    assert.equal(await testSentinel().admin(master).hget('sentinel:h', 'f'), 'v1');
    assert.equal((await waitCount(master, 'wait')) - waitsBefore, 1, 'one WAIT for one write');
    // reads wait for nothing
    await getField(conn, 'sentinel:h', 'f');
    assert.equal((await waitCount(master, 'wait')) - waitsBefore, 1);
    // the replica has it the moment the write is reported done
    const replica = testSentinel().servers.map((s) => s.port).find((p) => p !== master) as number;
    assert.equal(await testSentinel().admin(replica).hget('sentinel:h', 'f'), 'v1');
  });

  it('loses no acknowledged write across a failover, and follows the new master', async () => {
    const conn = await connectTo(sentinelProfile(), { commandTimeoutMs: 3000, confirmTimeoutMs: 2000 });
    const acknowledged: number[] = [];
    const maybe: number[] = [];
    let stop = false;
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        try {
          await setField(conn, 'sentinel:writes', `w${i}`, String(i));
          acknowledged.push(i);
        } catch (err) {
          const e = ours(err);
          if (e.written === 'maybe') maybe.push(i);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    })();
    while (acknowledged.length < 20) await new Promise((r) => setTimeout(r, 20));
    const before = await testSentinel().masterPort();
    const after = await testSentinel().failover();
    assert.notEqual(after, before);
    // keep writing until writes land on the new master
    const countAtFailover = acknowledged.length;
    while (acknowledged.length < countAtFailover + 20) await new Promise((r) => setTimeout(r, 50));
    stop = true;
    await writer;
    const onNew = await testSentinel().admin(after).hgetall('sentinel:writes');
    const lost = acknowledged.filter((i) => onNew[`w${i}`] !== String(i));
    assert.deepEqual(lost, [], 'every acknowledged write is on the new master');
    assert.equal(conn.status, 'ready');
    // and a write now lands on the new master
    await setField(conn, 'sentinel:after', 'f', 'x');
    assert.equal(await testSentinel().admin(after).hget('sentinel:after', 'f'), 'x');
  });

  it('an unconfirmed write is reported as one that may not have been written, never read back as done', async () => {
    const conn = await connectTo(sentinelProfile(), { confirmTimeoutMs: 300 });
    const master = await testSentinel().masterPort();
    const replica = testSentinel().servers.find((s) => s.port !== master);
    assert.ok(replica);
    replica.pause();
    try {
      const err = await failing(
        setField(conn, 'sentinel:unconfirmed', 'f', 'new').catch((e: unknown) => settle(conn, e, 'change', fieldSet(conn, 'sentinel:unconfirmed', Buffer.from('f'), null, Buffer.from('new')))),
      );
      assert.equal(err.written, 'maybe');
      assert.match(err.message, /may not have been written/);
    } finally {
      replica.resume();
    }
  });

  it('says clearly when the master name is wrong or the sentinels are down', async () => {
    const wrongName = await failing(RedisConnection.open(sentinelProfile({ masterName: 'no-such-master' }), { connectTimeoutMs: 2000 }));
    assert.match(wrongName.message, /know no master named "no-such-master"/);
    const closed = [await freePort(), await freePort()];
    const down = await failing(
      RedisConnection.open(sentinelProfile({ sentinels: closed.map((port) => ({ host: '127.0.0.1', port })), port: closed[0] }), { connectTimeoutMs: 2000 }),
    );
    assert.match(down.message, /No sentinel answered/);
    assert.match(down.message, new RegExp(String(closed[0])));
  });
});
