import * as assert from 'node:assert/strict';
import { RedisConnection } from '../../src/core/connection';
import { RedisExplorerError } from '../../src/core/errors';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startRedis } from '../support/redisServer';
import type { TestRedis } from '../support/redisServer';
import { admin, connect, profile } from './hooks';

async function expectCode(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof RedisExplorerError, `expected RedisExplorerError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  });
}

describe('connections', () => {
  before(async () => {
    await admin().call('ACL', 'SETUSER', 'alice', 'on', '>right-password', '~*', '&*', '+@all');
    await admin().call('ACL', 'SETUSER', 'reader', 'on', '>pw', '~*', '+@read', '+@connection', '-@write');
  });

  it('connects and pings', async () => {
    const conn = await connect();
    assert.equal(await conn.client.ping(), 'PONG');
    assert.equal(conn.status, 'ready');
  });

  it('selects the database of the profile, or the one asked for', async () => {
    await admin().select(0);
    const conn = await connect({ db: 2 });
    await conn.client.set('only-in-db2', '1');
    assert.equal(await admin().exists('only-in-db2'), 0);
    const again = await connect({ db: 0 }, undefined, 2);
    assert.equal(again.db, 2);
    assert.equal(await again.client.exists('only-in-db2'), 1);
    await again.client.del('only-in-db2');
  });

  it('authenticates an ACL user', async () => {
    const conn = await connect({ username: 'alice' }, 'right-password');
    assert.equal(await conn.client.call('ACL', 'WHOAMI'), 'alice');
  });

  it('says so clearly on a wrong password, without the password in the message', async () => {
    await expectCode(RedisConnection.open(profile({ username: 'alice' }), { password: 'wrong-secret-xyz' }), 'AUTH', /Authentication failed .*wrong user name or password/);
    await RedisConnection.open(profile({ username: 'alice' }), { password: 'wrong-secret-xyz' }).catch((err: Error) => {
      assert.doesNotMatch(err.message, /wrong-secret-xyz/);
    });
  });

  it('reports an ACL denial as permission denied', async () => {
    const conn = await connect({ username: 'reader' }, 'pw');
    await expectCode(conn.run((c) => c.set('x', '1')), 'NOPERM', /Permission denied by the server's ACL/);
  });

  it('reports a refused connection fast and does not keep retrying', async () => {
    const port = await freePort();
    const started = Date.now();
    await expectCode(RedisConnection.open(profile({ port })), 'REFUSED', /Connection refused \(127\.0\.0\.1:\d+\)/);
    assert.ok(Date.now() - started < 5000, 'a refused connection must fail at once, not after retries');
  });

  it('times out a server that does not answer', async () => {
    // A TCP listener that accepts and never speaks Redis.
    const net = await import('node:net');
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as { port: number }).port;
    try {
      await expectCode(RedisConnection.open(profile({ port }), { connectTimeoutMs: 500, commandTimeoutMs: 500 }), 'TIMEOUT', /did not answer in time/);
    } finally {
      silent.close();
    }
  });

  describe('TLS', () => {
    let tlsServer: TestRedis | undefined;
    let dir = '';
    before(async function () {
      this.timeout(30000);
      dir = mkdtempSync(join(tmpdir(), 'rhe-tls-'));
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
      const port = await freePort();
      tlsServer = await startRedis(['--tls-port', String(port), '--tls-cert-file', join(dir, 'cert.pem'), '--tls-key-file', join(dir, 'key.pem'), '--tls-ca-cert-file', join(dir, 'cert.pem'), '--tls-auth-clients', 'no'], port);
    });
    after(async () => {
      await tlsServer?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('refuses a certificate it cannot verify, with a TLS message', async () => {
      await expectCode(RedisConnection.open(profile({ port: tlsServer!.tlsPort, tls: true }), { connectTimeoutMs: 3000 }), 'TLS', /TLS handshake failed .*self.signed/i);
    });

    it('connects with the CA file, or with verification off', async () => {
      const withCa = await RedisConnection.open(profile({ port: tlsServer!.tlsPort, tls: { caFile: join(dir, 'cert.pem'), servername: 'localhost' } }));
      assert.equal(await withCa.client.ping(), 'PONG');
      await withCa.close();
      const noVerify = await RedisConnection.open(profile({ port: tlsServer!.tlsPort, tls: { verify: false } }));
      assert.equal(await noVerify.client.ping(), 'PONG');
      await noVerify.close();
    });

    it('says which CA file it cannot read', async () => {
      await expectCode(RedisConnection.open(profile({ port: tlsServer!.tlsPort, tls: { caFile: '/no/such/ca.pem' } })), 'TLS', /Cannot read the CA file "\/no\/such\/ca.pem"/);
    });
  });
});
