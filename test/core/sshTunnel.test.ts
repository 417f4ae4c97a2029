// SSH tunnels through a real OpenSSH sshd (test/support/sshd.ts) to real redis-servers: log-in by key, by a
// passphrase-protected key and by an agent; host keys trusted, unknown and changed; each failure named by hop;
// several Redis servers behind one SSH connection; a lost SSH connection re-opened; close.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createConnection } from 'node:net';
import { basename, dirname, join } from 'node:path';
import Redis from 'ioredis';
import { RedisExplorerError } from '../../src/core/errors';
import { SshError, SshTunnel, fingerprintOf, normalizeFingerprint } from '../../src/core/sshTunnel';
import type { SshOptions, SshSecrets, SshTunnelOptions } from '../../src/core/sshTunnel';
import { LIBRARY_PHRASES } from '../support/faultyRedis';
import { freePort, startRedis } from '../support/redisServer';
import type { TestRedis } from '../support/redisServer';
import { startSshd } from '../support/sshd';
import type { TestSshd } from '../support/sshd';
import { admin, redisPort } from './hooks';

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail('resolved; a failure was expected');
}

function assertSsh(err: unknown, reason: string, message: RegExp): SshError {
  assert.ok(err instanceof SshError, `expected our SSH error, got ${String(err)}`);
  assert.ok(err instanceof RedisExplorerError);
  assert.equal(err.reason, reason, err.message);
  assert.match(err.message, message);
  assert.doesNotMatch(err.message, LIBRARY_PHRASES);
  assert.doesNotMatch(err.message, /All configured authentication methods failed|Host denied|ssh2/);
  return err;
}

/** Resolves once `pids` are all gone (the sshd side of a closed connection ends on its own). */
async function gone(pids: number[]): Promise<void> {
  const alive = () =>
    pids.filter((p) => {
      try {
        process.kill(p, 0);
        return true;
      } catch {
        return false;
      }
    });
  while (alive().length) await new Promise((r) => setTimeout(r, 50));
}

describe('SSH tunnel (real sshd)', function () {
  this.timeout(60_000);
  let sshd: TestSshd;
  const tunnels: SshTunnel[] = [];
  const clients: Redis[] = [];

  before(async function () {
    this.timeout(60_000);
    sshd = await startSshd();
  });
  after(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    await Promise.all(tunnels.splice(0).map((t) => t.close()));
    await sshd?.stop();
  });

  const ssh = (extra: Partial<SshOptions> = {}): SshOptions => ({ host: sshd.host, port: sshd.port, username: sshd.username, privateKeyFile: sshd.keys.plain, hostKey: sshd.fingerprint, ...extra });
  async function open(extra: Partial<SshOptions> = {}, secrets: SshSecrets = {}, options: SshTunnelOptions = {}): Promise<SshTunnel> {
    const t = await SshTunnel.open(ssh(extra), secrets, options);
    tunnels.push(t);
    return t;
  }
  function client(port: number): Redis {
    const c = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0, retryStrategy: () => 100, lazyConnect: true });
    c.on('error', () => undefined);
    clients.push(c);
    return c;
  }

  it('carries Redis traffic with a key log-in; the value lands in Redis (checked directly)', async () => {
    const t = await open();
    const local = await t.forward('127.0.0.1', redisPort());
    assert.equal(local.host, '127.0.0.1');
    assert.notEqual(local.port, redisPort());
    const c = client(local.port);
    await c.connect();
    await c.hset('ssh:tunnel:h', 'f', 'through the bastion');
    assert.equal(await admin().hget('ssh:tunnel:h', 'f'), 'through the bastion');
    assert.deepEqual(t.forwarded('127.0.0.1', redisPort()), local, 'the map answers without waiting once forwarded');
    assert.equal(await t.forward('127.0.0.1', redisPort()), local, 'one listener per target');
    await admin().del('ssh:tunnel:h');
  });

  it('takes the fingerprint as ssh-keygen prints it, with or without the base64 padding', () => {
    assert.equal(normalizeFingerprint(sshd.fingerprint), sshd.fingerprint);
    assert.equal(normalizeFingerprint(`${sshd.fingerprint}=`), sshd.fingerprint);
    assert.equal(normalizeFingerprint('MD5:aa:bb'), undefined);
    assert.match(fingerprintOf(Buffer.from('x')), /^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('several Redis servers share one SSH connection (one sshd session)', async () => {
    const second: TestRedis = await startRedis();
    try {
      const before = sshd.sessionPids().length;
      const t = await open();
      const withOne = sshd.sessionPids().length;
      assert.ok(withOne > before, 'the tunnel opened an SSH session');
      const a = await t.forward('127.0.0.1', redisPort());
      const b = await t.forward('127.0.0.1', second.port);
      assert.notEqual(a.port, b.port);
      const ca = client(a.port);
      const cb = client(b.port);
      await Promise.all([ca.connect(), cb.connect()]);
      await ca.set('ssh:which', 'first');
      await cb.set('ssh:which', 'second');
      assert.equal(await admin().get('ssh:which'), 'first');
      const direct = new Redis({ host: '127.0.0.1', port: second.port });
      assert.equal(await direct.get('ssh:which'), 'second');
      direct.disconnect();
      assert.equal(sshd.sessionPids().length, withOne, 'no second SSH session for the second server');
      assert.equal(t.connections, 1);
      await admin().del('ssh:which');
    } finally {
      await second.stop();
    }
  });

  it('forwardNow maps a new target at once (for ioredis natMap); with no listener ready, an address that closes, never the target', async () => {
    const second: TestRedis = await startRedis();
    try {
      const ready = await open({}, {}, { spareListeners: 1 });
      const a = ready.forwardNow('127.0.0.1', redisPort());
      assert.notEqual(a.port, redisPort());
      const ca = client(a.port);
      await ca.connect();
      assert.equal(await ca.ping(), 'PONG');
      assert.deepEqual(ready.forwardNow('127.0.0.1', redisPort()), a, 'the same listener for the same target');

      const none = await open({}, {}, { spareListeners: 0 });
      const b = none.forwardNow('127.0.0.1', second.port);
      assert.notEqual(b.port, second.port, 'never the target address itself');
      const closed = await new Promise<string>((resolve) => {
        const s = createConnection(b.port, '127.0.0.1', () => s.write('PING\r\n'));
        let got = '';
        s.on('data', (d) => (got += d.toString()));
        s.on('close', () => resolve(got));
        s.on('error', () => undefined);
      });
      assert.equal(closed, '', 'closed without an answer');
      const later = await none.forward('127.0.0.1', second.port);
      assert.notEqual(later.port, b.port);
      assert.deepEqual(none.forwardNow('127.0.0.1', second.port), later, 'the next lookup has its own listener');
      const cb = client(later.port);
      await cb.connect();
      assert.equal(await cb.ping(), 'PONG');
    } finally {
      await second.stop();
    }
  });

  it('logs in with a passphrase-protected key given its passphrase', async () => {
    const t = await open({ privateKeyFile: sshd.keys.encrypted }, { passphrase: sshd.keys.passphrase });
    const c = client((await t.forward('127.0.0.1', redisPort())).port);
    await c.connect();
    assert.equal(await c.ping(), 'PONG');
  });

  it('refuses an encrypted key without its passphrase, or with a wrong one, before connecting', async () => {
    assertSsh(await failure(open({ privateKeyFile: sshd.keys.encrypted })), 'key', /^SSH: the private key ".*id_encrypted" is encrypted: its passphrase is needed\. Nothing was sent\.$/);
    assertSsh(await failure(open({ privateKeyFile: sshd.keys.encrypted }, { passphrase: 'wrong' })), 'key', /^SSH: wrong passphrase for the private key ".*id_encrypted"\. Nothing was sent\.$/);
  });

  it('reads a key file given as ~/…, as ssh\'s own config writes it', async () => {
    const home = process.env.HOME;
    process.env.HOME = dirname(sshd.keys.plain);
    try {
      const t = await open({ privateKeyFile: `~/${basename(sshd.keys.plain)}` });
      assert.equal(t.connections, 1);
    } finally {
      process.env.HOME = home;
    }
  });

  it('refuses a key file that does not exist, one that is not a key, and a public key', async () => {
    assertSsh(await failure(open({ privateKeyFile: '/nonexistent/id_rsa' })), 'key', /^SSH: cannot read the private key file "\/nonexistent\/id_rsa": no such file\./);
    assertSsh(await failure(open({ privateKeyFile: sshd.keys.notAKey })), 'key', /^SSH: ".*not_a_key" is not a private key/);
    assertSsh(await failure(open({ privateKeyFile: `${sshd.keys.plain}.pub` })), 'key', /is a public key: give the private key file/);
  });

  it('logs in with the keys of an SSH agent (its socket, or SSH_AUTH_SOCK through agentSocket)', async () => {
    const socket = await sshd.startAgent();
    const t = await open({ privateKeyFile: undefined, agent: socket });
    const c = client((await t.forward('127.0.0.1', redisPort())).port);
    await c.connect();
    assert.equal(await c.ping(), 'PONG');
    const t2 = await open({ privateKeyFile: undefined, agent: true }, {}, { agentSocket: socket });
    assert.equal(t2.connections, 1);
  });

  it('says authentication failed for a key the server does not know, and for a password it does not take', async () => {
    assertSsh(await failure(open({ privateKeyFile: sshd.keys.stranger })), 'auth', new RegExp(`^SSH: authentication failed \\(${sshd.username}@127\\.0\\.0\\.1:${sshd.port}\\): the server refused the private key\\.`));
    // This sshd has password log-in off (it runs unprivileged): a password is refused like a wrong one.
    assertSsh(await failure(open({ privateKeyFile: undefined }, { password: 'secret' })), 'auth', /^SSH: authentication failed .*: the server refused the password\./);
  });

  it('refuses a connection with no way to log in, without connecting', async () => {
    assertSsh(await failure(open({ privateKeyFile: undefined })), 'auth', /^SSH: no way to log in to 127\.0\.0\.1:\d+: give a private key file, a password or an agent\./);
  });

  it('never accepts an unknown host key: the message names the fingerprint the server offered', async () => {
    const err = assertSsh(await failure(open({ hostKey: undefined })), 'hostKeyUnknown', /^SSH: the host key of 127\.0\.0\.1:\d+ is not trusted yet; its fingerprint is SHA256:/);
    assert.equal(err.fingerprint, sshd.fingerprint, 'the fingerprint ssh-keygen computes from the host key');
    assert.ok(err.message.includes(sshd.fingerprint));
    assert.equal(err.code, 'AUTH');
  });

  it('refuses a changed host key, naming both keys', async () => {
    const other = fingerprintOf(Buffer.from('another host key'));
    const err = assertSsh(await failure(open({ hostKey: other })), 'hostKeyChanged', /^SSH: host key changed \(127\.0\.0\.1:\d+\): the server offered SHA256:.* but the trusted key is SHA256:/);
    assert.ok(err.message.includes(sshd.fingerprint) && err.message.includes(other));
    assertSsh(await failure(open({ hostKey: 'not-a-fingerprint' })), 'hostKeyUnknown', /is not a host key fingerprint/);
  });

  it('says the SSH connection was refused when nothing listens there', async () => {
    const port = await freePort();
    assertSsh(await failure(open({ port })), 'refused', new RegExp(`^SSH: connection refused \\(127\\.0\\.0\\.1:${port}\\)\\. Is an SSH server running there\\?$`));
  });

  it('says the bastion cannot reach a Redis address, naming it', async () => {
    const t = await open();
    const port = await freePort();
    assertSsh(await failure(t.forward('127.0.0.1', port)), 'target', new RegExp(`^SSH: the bastion 127\\.0\\.0\\.1:${sshd.port} cannot reach 127\\.0\\.0\\.1:${port} \\(connection refused there\\)\\.`));
    assert.equal(t.forwarded('127.0.0.1', port), undefined);
  });

  it('survives a short network blip (keepalive) on the same SSH connection', async () => {
    const before = new Set(sshd.sessionPids());
    const t = await open({}, {}, { keepaliveIntervalMs: 200, keepaliveCountMax: 30 });
    const c = client((await t.forward('127.0.0.1', redisPort())).port);
    await c.connect();
    const mine = sshd.sessionPids().filter((p) => !before.has(p));
    assert.ok(mine.length > 0);
    for (const p of mine) process.kill(p, 'SIGSTOP');
    await new Promise((r) => setTimeout(r, 1500)); // several keepalives go unanswered
    for (const p of mine) process.kill(p, 'SIGCONT');
    assert.equal(await c.ping(), 'PONG');
    assert.equal(t.connections, 1, 'the SSH connection was kept');
    assert.equal(t.failure, undefined);
  });

  it('re-opens a lost SSH connection when Redis next connects, on the same local port', async () => {
    const before = new Set(sshd.sessionPids());
    const t = await open();
    const local = await t.forward('127.0.0.1', redisPort());
    const mine = sshd.sessionPids().filter((p) => !before.has(p));
    const lost = new Promise<SshError>((resolve) => t.onConnectionLost(resolve));
    for (const p of mine) process.kill(p, 'SIGKILL');
    const err = await lost;
    assert.equal(err.reason, 'closed');
    assert.match(err.message, /^SSH: the connection to 127\.0\.0\.1:\d+ was lost\.$/);
    const c = client(local.port);
    await c.connect();
    assert.equal(await c.ping(), 'PONG');
    assert.equal(t.connections, 2);
  });

  it('a lost SSH connection that cannot be re-opened says why (here: the host key changed meanwhile)', async () => {
    const before = new Set(sshd.sessionPids());
    const options = ssh();
    const t = await SshTunnel.open(options);
    tunnels.push(t);
    const local = await t.forward('127.0.0.1', redisPort());
    const reasons: string[] = [];
    t.onConnectionLost((e) => reasons.push(e.reason));
    // the server now holds another key than the one trusted
    options.hostKey = `SHA256:${'A'.repeat(43)}`;
    for (const p of sshd.sessionPids().filter((p) => !before.has(p))) process.kill(p, 'SIGKILL');
    while (!reasons.length) await new Promise((r) => setTimeout(r, 20));
    // a Redis client connecting: the tunnel tries to re-open the SSH connection and closes the socket
    await new Promise<void>((resolve) => createConnection(local.port, '127.0.0.1').on('close', () => resolve()).on('error', () => undefined));
    for (let i = 0; i < 250 && reasons.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(reasons, ['closed', 'hostKeyChanged']);
    assert.match(t.failure?.message ?? '', /^SSH: host key changed/);
  });

  it('works without ssh2\'s optional native parts (as in the .vsix, where cpu-features and sshcrypto.node are left out)', async () => {
    // A Node process where loading cpu-features or any .node file fails, as it does from the bundle.
    const script = `
      const Module = require('module');
      let blocked = 0;
      const load = Module._load;
      Module._load = function (request, ...rest) {
        if (request === 'cpu-features' || request.endsWith('.node')) { blocked++; throw new Error('not shipped'); }
        return load.call(this, request, ...rest);
      };
      const { SshTunnel } = require(${JSON.stringify(join(__dirname, '..', '..', 'src', 'core', 'sshTunnel.js'))});
      const net = require('net');
      (async () => {
        const t = await SshTunnel.open(JSON.parse(process.argv[1]), {});
        const local = await t.forward('127.0.0.1', Number(process.argv[2]));
        const s = net.createConnection(local.port, '127.0.0.1', () => s.write('PING\\r\\n'));
        s.on('data', async (d) => { console.log(blocked + ' ' + d.toString().trim()); s.destroy(); await t.close(); });
      })().catch((e) => { console.log('failed ' + e.message); });
    `;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['-e', script, JSON.stringify(ssh()), String(redisPort())], (err, stdout) => (err ? reject(err) : resolve(stdout.trim()))),
    );
    const [blocked, reply] = out.split(' ');
    assert.ok(Number(blocked) >= 2, `both native parts were asked for and refused: ${out}`);
    assert.equal(reply, '+PONG', out);
  });

  it('close() ends the SSH session and the local listeners', async () => {
    const before = new Set(sshd.sessionPids());
    const t = await open();
    const local = await t.forward('127.0.0.1', redisPort());
    const mine = sshd.sessionPids().filter((p) => !before.has(p));
    assert.ok(mine.length > 0);
    await t.close();
    await gone(mine);
    const refused = await new Promise<string>((resolve) => {
      const s = createConnection(local.port, '127.0.0.1');
      s.on('connect', () => (s.destroy(), resolve('connected')));
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    assert.equal(refused, 'ECONNREFUSED');
    assertSsh(await failure(t.forward('127.0.0.1', redisPort())), 'closed', /was closed/);
  });
});
