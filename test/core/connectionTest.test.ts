import * as assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { testConnection } from '../../src/core/connectionTest';
import { freePort } from '../support/redisServer';
import { admin, profile } from './hooks';

/** Clients on the test server named like ours (CLIENT LIST), to see that a test closes what it opened. */
async function ourClients(): Promise<number> {
  const list = (await admin().call('CLIENT', 'LIST')) as string;
  return list.split('\n').filter((l) => / name=redis-hash-explorer /.test(l)).length;
}

describe('testing a connection before it is saved', () => {
  before(async () => {
    await admin().call('ACL', 'SETUSER', 'tester', 'on', '>tester-pw', '~*', '&*', '+@all');
  });

  after(async () => {
    await admin().call('ACL', 'DELUSER', 'tester');
  });

  it('connects with the user and password, reads the version, and closes its client', async () => {
    const before = await ourClients();
    const outcome = await testConnection(profile({ username: 'tester', db: 3 }), { password: 'tester-pw' });
    assert.equal(outcome.kind, 'ok');
    assert.ok(outcome.kind === 'ok' && /^\d+\.\d+/.test(outcome.info?.version ?? ''), 'the server version is read');
    assert.equal(await ourClients(), before, 'the test client is closed');
  });

  it('says why it failed: a wrong password, without the password', async () => {
    const outcome = await testConnection(profile({ username: 'tester' }), { password: 'not-the-pw-1234' });
    assert.equal(outcome.kind, 'failed');
    if (outcome.kind !== 'failed') return;
    assert.equal(outcome.error.code, 'AUTH');
    assert.match(outcome.error.message, /^Authentication failed \(127\.0\.0\.1:\d+\)/);
    assert.doesNotMatch(outcome.error.message, /not-the-pw-1234/);
  });

  it('says why it failed: nothing listening on the port', async () => {
    const port = await freePort();
    const outcome = await testConnection(profile({ port }));
    assert.equal(outcome.kind, 'failed');
    assert.ok(outcome.kind === 'failed' && outcome.error.code === 'REFUSED');
    assert.ok(outcome.kind === 'failed' && outcome.error.message.includes(`127.0.0.1:${port}`));
  });

  it('stops waiting when cancelled, on a server that accepts and never answers', async () => {
    const sockets: Socket[] = [];
    const controller = new AbortController();
    const silent: Server = createServer((s) => {
      sockets.push(s);
      controller.abort();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const outcome = await testConnection(profile({ port }), { signal: controller.signal });
      assert.deepEqual(outcome, { kind: 'cancelled' });
      assert.equal(sockets.length, 1);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('is cancelled at once when the signal was aborted before', async () => {
    const controller = new AbortController();
    controller.abort();
    assert.deepEqual(await testConnection(profile(), { signal: controller.signal }), { kind: 'cancelled' });
  });
});
