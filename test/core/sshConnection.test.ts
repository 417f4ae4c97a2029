// Connections (RedisConnection) through an SSH tunnel to a real sshd: a standalone server, TLS with a client
// certificate behind the bastion, host-key refusal and each failing hop named, reconnecting through a new SSH
// connection, and the tunnel closed with the connection. Every TCP connection this process opens is recorded:
// none goes to Redis directly.
import * as assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { RedisConnection } from '../../src/core/connection';
import type { ConnectOptions } from '../../src/core/connection';
import { RedisExplorerError } from '../../src/core/errors';
import type { ConnectionProfile } from '../../src/core/profile';
import { SshError } from '../../src/core/sshTunnel';
import type { SshOptions } from '../../src/core/sshTunnel';
import { LIBRARY_PHRASES } from '../support/faultyRedis';
import { freePort } from '../support/redisServer';
import type { TestRedis } from '../support/redisServer';
import { startSshd } from '../support/sshd';
import type { TestSshd } from '../support/sshd';
import { makeCerts, startTlsRedis } from '../support/tlsCerts';
import type { TestCerts } from '../support/tlsCerts';
import { admin, redisPort } from './hooks';

/** Remote ports of the TCP connections this process opens with net.connect while `fn` runs. */
export async function dialed<T>(fn: () => Promise<T>): Promise<{ result: T; ports: number[] }> {
  const ports: number[] = [];
  const onSocket = (message: unknown) => {
    const socket = (message as { socket: Socket }).socket;
    socket.once('connect', () => ports.push(socket.remotePort ?? -1));
  };
  subscribe('net.client.socket', onSocket);
  try {
    return { result: await fn(), ports };
  } finally {
    unsubscribe('net.client.socket', onSocket);
  }
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail('resolved; a failure was expected');
}

describe('connections through an SSH tunnel (real sshd)', function () {
  this.timeout(60_000);
  let sshd: TestSshd;
  let certs: TestCerts;
  let tlsServer: TestRedis & { tlsPort: number };
  const opened: RedisConnection[] = [];

  before(async function () {
    this.timeout(60_000);
    certs = makeCerts();
    [sshd, tlsServer] = await Promise.all([startSshd(), startTlsRedis(certs)]);
  });
  after(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close()));
    await sshd?.stop();
    await tlsServer?.stop();
    certs?.remove();
  });

  const ssh = (extra: Partial<SshOptions> = {}): SshOptions => ({ host: sshd.host, port: sshd.port, username: sshd.username, privateKeyFile: sshd.keys.plain, hostKey: sshd.fingerprint, ...extra });
  const profile = (extra: Partial<ConnectionProfile> = {}): ConnectionProfile => ({ name: 'via-ssh', host: '127.0.0.1', port: redisPort(), ssh: ssh(), ...extra });
  async function open(p: ConnectionProfile, options: ConnectOptions = {}): Promise<RedisConnection> {
    const conn = await RedisConnection.open(p, { connectTimeoutMs: 5000, commandTimeoutMs: 5000, ...options });
    opened.push(conn);
    return conn;
  }

  it('runs commands through the tunnel: the value lands in Redis, nothing dials Redis directly, messages name the real address', async () => {
    const { result: conn, ports } = await dialed(async () => {
      const c = await open(profile());
      await c.run((r) => r.hset('ssh:conn:h', 'f', 'via the bastion'));
      return c;
    });
    assert.equal(await admin().hget('ssh:conn:h', 'f'), 'via the bastion');
    // ioredis dials with net.connect (seen here); ssh2 does not, so the SSH connection is not in the list.
    assert.ok(ports.length > 0, 'the Redis client dialed');
    assert.ok(!ports.includes(redisPort()), `dialed ${ports.join(', ')}`);
    assert.equal(conn.where, `127.0.0.1:${redisPort()}`);
    await admin().del('ssh:conn:h');
  });

  it('takes the key passphrase from the options (SecretStorage in the extension)', async () => {
    const conn = await open(profile({ ssh: ssh({ privateKeyFile: sshd.keys.encrypted }) }), { sshPassphrase: sshd.keys.passphrase });
    assert.equal(await conn.run((r) => r.ping()), 'PONG');
    const err = await failure(open(profile({ ssh: ssh({ privateKeyFile: sshd.keys.encrypted }) })));
    assert.ok(err instanceof SshError && err.reason === 'key', String(err));
  });

  it('refuses an unknown host key, naming the fingerprint; nothing is written', async () => {
    const err = await failure(open(profile({ ssh: ssh({ hostKey: undefined }) })));
    assert.ok(err instanceof SshError, String(err));
    assert.equal(err.reason, 'hostKeyUnknown');
    assert.ok(err.message.includes(sshd.fingerprint), err.message);
  });

  it('names the hop that failed: the bastion refusing, the bastion unable to reach Redis', async () => {
    const port = await freePort();
    const refused = await failure(open(profile({ ssh: ssh({ port }) })));
    assert.ok(refused instanceof RedisExplorerError);
    assert.match(refused.message, new RegExp(`^SSH: connection refused \\(127\\.0\\.0\\.1:${port}\\)`));
    const unreachable = await failure(open(profile({ port })));
    assert.ok(unreachable instanceof RedisExplorerError);
    assert.match(unreachable.message, new RegExp(`^SSH: the bastion 127\\.0\\.0\\.1:${sshd.port} cannot reach 127\\.0\\.0\\.1:${port} \\(connection refused there\\)`));
    assert.doesNotMatch(unreachable.message, LIBRARY_PHRASES);
  });

  it('TLS with a client certificate behind the bastion: the certificate is checked against the server name', async () => {
    const tls = { caFile: certs.ca, certFile: certs.clientCert, keyFile: certs.clientKeyEncrypted };
    const conn = await open(profile({ host: 'localhost', port: tlsServer.tlsPort, tls }), { tlsKeyPassphrase: certs.passphrase });
    await conn.run((r) => r.hset('ssh:tls:h', 'f', 'tls behind ssh'));
    const plain = (await import('ioredis')).default;
    const check = new plain({ host: '127.0.0.1', port: tlsServer.port });
    try {
      assert.equal(await check.hget('ssh:tls:h', 'f'), 'tls behind ssh');
    } finally {
      check.disconnect();
    }
  });

  it('a lost SSH connection: the Redis connection comes back through a new one', async () => {
    const before = new Set(sshd.sessionPids());
    const conn = await open(profile(), { maxReconnectDelayMs: 100 });
    const mine = sshd.sessionPids().filter((p) => !before.has(p));
    assert.ok(mine.length > 0);
    const states: string[] = [];
    const back = new Promise<void>((resolve) =>
      conn.onState((s) => {
        states.push(s);
        if (s === 'ready') resolve();
      }),
    );
    for (const p of mine) process.kill(p, 'SIGKILL');
    await back;
    assert.deepEqual(states.slice(0, 1), ['lost']);
    assert.equal(await conn.run((r) => r.ping()), 'PONG');
  });

  it('close() ends the SSH connection it opened', async () => {
    const before = new Set(sshd.sessionPids());
    const conn = await RedisConnection.open(profile());
    const mine = sshd.sessionPids().filter((p) => !before.has(p));
    assert.ok(mine.length > 0);
    await conn.close();
    for (;;) {
      const alive = mine.filter((p) => {
        try {
          process.kill(p, 0);
          return true;
        } catch {
          return false;
        }
      });
      if (!alive.length) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  });
});
