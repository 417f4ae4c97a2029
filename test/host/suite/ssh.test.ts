// Connections through SSH in the real extension host, through a real OpenSSH sshd the suite starts
// (test/support/sshd.ts) in front of the test Redis: scripted addConnection with and without the host key,
// secrets kept out of settings, browsing and editing through the tunnel, one SSH connection shared by every
// client of a connection, the trust question of the form (trust, refuse, a changed key), a wrong password,
// a missing key file, and "SSH lost" in the tree. Database 8, connections named "ssh-…".
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type Redis from 'ioredis';
import * as vscode from 'vscode';
import type { PromptLayer } from '../../../src/commands/prompts';
import type { ConnectionStatus } from '../../../src/connections/pool';
import { startSshd } from '../../support/sshd';
import type { TestSshd } from '../../support/sshd';
import type { ProfileSetting, TestHooks } from './sidebarSupport';
import { closeClients, connectionNode, hooks, inputsAndPicks, itemOf, keysUnder, redis, redisPort, rejectionOf, setConnections, waitFor, withPrompts } from './sidebarSupport';

const DB = 8;
const OTHER_KEY = `SHA256:${'A'.repeat(43)}`;
const run = (id: string, arg?: unknown) => Promise.resolve(vscode.commands.executeCommand(`redisHashExplorer.${id}`, arg));

interface SshSetting {
  name: string;
  ssh?: { host: string; port?: number; username: string; privateKeyFile?: string; hostKey?: string };
}

function userNamed(name: string): SshSetting | undefined {
  return vscode.workspace.getConfiguration('redisHashExplorer').inspect<SshSetting[]>('connections')?.globalValue?.find((p) => p.name === name);
}

function settingsText(): string {
  return JSON.stringify(vscode.workspace.getConfiguration('redisHashExplorer').inspect('connections')?.globalValue ?? []);
}

/** Answers the form: picks by label in order, inputs by prompt, the file dialog, and the modal questions. */
function formAnswers(picks: string[], inputs: Array<[RegExp, string]>, file: string, asks: Array<string | undefined>) {
  const asked: Array<{ message: string; detail: string }> = [];
  const answers: Partial<PromptLayer> = {
    ...inputsAndPicks(picks, inputs),
    openFile: async () => vscode.Uri.file(file),
    ask: async <T extends string>(message: string, detail: string | undefined): Promise<T | undefined> => {
      asked.push({ message, detail: detail ?? '' });
      return asks.shift() as T | undefined;
    },
    inform: () => undefined,
  };
  return { answers, asked, picks };
}

describe('connections through SSH', function () {
  this.timeout(120_000);
  let h: TestHooks;
  let sshd: TestSshd;
  let r: Redis;
  const through = () => ({ host: '127.0.0.1', port: sshd.port, username: sshd.username });

  before(async () => {
    h = await hooks();
    sshd = await startSshd();
    r = redis(DB);
    await r.flushdb();
    await r.hset('ssh:h', 'a', '1', 'b', '2');
    await r.hset('ssh:other', 'x', 'y');
  });

  after(async () => {
    await setConnections('ssh-', []);
    for (const name of ['ssh-std', 'ssh-form', 'ssh-changed']) await run('removeConnection', { connection: name }).catch(() => undefined);
    await r.flushdb();
    closeClients();
    await sshd?.stop();
  });

  it('a scripted add without ssh.hostKey is refused, tested or not, naming the server fingerprint; nothing is saved', async () => {
    const base = { connection: 'ssh-nokey', host: '127.0.0.1', port: redisPort(), db: DB, ssh: { ...through(), privateKeyFile: sshd.keys.plain } };
    for (const arg of [base, { ...base, test: false }]) {
      const message = await rejectionOf('redisHashExplorer.addConnection', arg);
      assert.ok(message.includes(sshd.fingerprint), message);
      assert.match(message, /not trusted yet.*"ssh\.hostKey"/);
      assert.equal(userNamed('ssh-nokey'), undefined);
    }
  });

  it('standalone through SSH: added by script with its host key (passphrase in secret storage only), browsed and edited', async () => {
    await run('addConnection', {
      connection: 'ssh-std',
      host: '127.0.0.1',
      port: redisPort(),
      db: DB,
      ssh: { ...through(), privateKeyFile: sshd.keys.encrypted, hostKey: sshd.fingerprint },
      sshPassphrase: sshd.keys.passphrase,
    });
    const saved = userNamed('ssh-std');
    assert.deepEqual(saved?.ssh, { ...through(), privateKeyFile: sshd.keys.encrypted, hostKey: sshd.fingerprint });
    assert.ok(!settingsText().includes(sshd.keys.passphrase), 'the passphrase is not in settings');
    const node = await connectionNode(h.tree, 'ssh-std');
    assert.deepEqual((await keysUnder(h.tree, node)).sort(), ['ssh:h', 'ssh:other']);
    assert.match(String(itemOf(h.tree, node).tooltip), new RegExp(`through SSH ${sshd.username}@127\\.0\\.0\\.1:${sshd.port}`));
    await run('editField', { connection: 'ssh-std', key: 'ssh:h', field: 'a', value: 'through the tunnel' });
    assert.equal(await r.hget('ssh:h', 'a'), 'through the tunnel');
    assert.equal(await r.hget('ssh:h', 'b'), '2');
  });

  it("the clients of another database share the connection's one SSH connection; disconnect closes it", async () => {
    await h.tree.pool.disconnect('ssh-std');
    await waitFor('no SSH connection left', () => sshd.sessionPids().length === 0);
    await h.tree.pool.get('ssh-std', DB);
    const sessions = sshd.sessionPids().length;
    assert.ok(sessions > 0, 'one SSH connection is open');
    const other = await h.tree.pool.get('ssh-std', 0);
    await other.run((c) => c.ping());
    const db0 = redis(0);
    await db0.hset('ssh:db0', 'f', 'before');
    await run('editField', { connection: 'ssh-std', db: 0, key: 'ssh:db0', field: 'f', value: 'v' });
    assert.equal(await db0.hget('ssh:db0', 'f'), 'v');
    await db0.del('ssh:db0');
    assert.equal(sshd.sessionPids().length, sessions, 'no second SSH connection for another database');
    await h.tree.pool.disconnect('ssh-std');
    await waitFor('the SSH connection closed', () => sshd.sessionPids().length === 0);
  });

  it('"SSH lost" in the tree when the SSH connection drops; the clients come back through a new one', async () => {
    const node = await connectionNode(h.tree, 'ssh-std');
    await h.tree.retry('ssh-std').catch(() => undefined);
    await h.tree.pool.get('ssh-std', DB);
    const seen: Array<{ status: ConnectionStatus; description: string }> = [];
    const sub = h.tree.pool.onDidChangeState((name) => {
      if (name !== 'ssh-std') return;
      const current = h.tree.connectionNode('ssh-std') ?? node;
      seen.push({ status: h.tree.pool.status(name), description: String(itemOf(h.tree, current).description) });
    });
    try {
      for (const pid of sshd.sessionPids()) process.kill(pid, 'SIGKILL');
      await waitFor('SSH lost', () => seen.some((s) => s.status.sshLost));
      const lost = seen.find((s) => s.status.sshLost);
      assert.equal(lost?.status.state, 'reconnecting');
      assert.match(lost?.status.error ?? '', /^SSH lost: .*127\.0\.0\.1:\d+/);
      assert.match(lost?.description ?? '', /SSH lost · reconnecting…/);
      await waitFor('connected again', () => h.tree.pool.status('ssh-std').state === 'connected', 20_000);
      assert.equal(h.tree.pool.status('ssh-std').sshLost, undefined);
    } finally {
      sub.dispose();
    }
    await run('editField', { connection: 'ssh-std', key: 'ssh:h', field: 'a', value: 'after the loss' });
    assert.equal(await r.hget('ssh:h', 'a'), 'after the loss');
  });

  it('an SSH server that stops answering: "SSH lost" says why and the row offers Retry, which connects through a new SSH connection', async () => {
    await h.tree.pool.get('ssh-std', DB);
    const sessions = sshd.sessionPids();
    const parents = sessions.map((p) => Number(readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]));
    const listener = parents.find((p) => !sessions.includes(p));
    assert.ok(listener, 'the listening sshd');
    process.kill(listener, 'SIGSTOP');
    try {
      for (const pid of sessions) process.kill(pid, 'SIGKILL');
      // the new SSH connection times out (the server takes it but never answers)
      const seen: string[] = [];
      const sub = h.tree.pool.onDidChangeState((name) => name === 'ssh-std' && seen.push(`${h.tree.pool.status(name).state}: ${h.tree.pool.status(name).error ?? ''}`));
      await waitFor('SSH lost with its reason', () => /^SSH lost: 127\.0\.0\.1:\d+ did not answer in time\./.test(h.tree.pool.status('ssh-std').error ?? ''), 40_000).catch((err: Error) => {
        throw new Error(`${err.message}; states: ${seen.join(' | ')}`);
      });
      sub.dispose();
      const node = await connectionNode(h.tree, 'ssh-std');
      assert.match(String(itemOf(h.tree, node).contextValue), /^connection\.reconnecting.*\.sshLost$/);
    } finally {
      process.kill(listener, 'SIGCONT');
    }
    await run('retryConnection', { connection: 'ssh-std' });
    await waitFor('connected', () => h.tree.pool.status('ssh-std').state === 'connected', 20_000);
    await run('editField', { connection: 'ssh-std', key: 'ssh:h', field: 'a', value: 'after Retry' });
    assert.equal(await r.hget('ssh:h', 'a'), 'after Retry');
  });

  it('the form: SSH fields, a key file from the file dialog; the first connect shows the fingerprint and Trust stores it', async () => {
    const { answers, asked, picks } = formAnswers(
      ['Database', 'SSH tunnel', '    Private key file', '$(check) Save'],
      [
        [/redis:\/\/ or rediss:\/\/ URL, or enter host:port/, `127.0.0.1:${redisPort()}`],
        [/^Connection name/, 'ssh-form'],
        [/^Database number/, String(DB)],
        [/^SSH server/, `127.0.0.1:${sshd.port}`],
        [/^SSH user name/, sshd.username],
      ],
      sshd.keys.plain,
      ['Trust'],
    );
    await withPrompts(h, answers, () => run('addConnection'));
    assert.equal(picks.length, 0, 'every line was picked');
    assert.equal(asked.length, 1);
    assert.match(asked[0].message, new RegExp(`Trust the SSH server 127\\.0\\.0\\.1:${sshd.port}\\?`));
    assert.ok(asked[0].detail.includes(sshd.fingerprint), asked[0].detail);
    assert.deepEqual(userNamed('ssh-form')?.ssh, { ...through(), privateKeyFile: sshd.keys.plain, hostKey: sshd.fingerprint });
    assert.deepEqual((await keysUnder(h.tree, await connectionNode(h.tree, 'ssh-form'))).sort(), ['ssh:h', 'ssh:other']);
  });

  it('the form: refusing the fingerprint saves nothing', async () => {
    const { answers, asked } = formAnswers(
      ['SSH tunnel', '    Private key file', '$(check) Save'],
      [
        [/redis:\/\/ or rediss:\/\/ URL, or enter host:port/, `127.0.0.1:${redisPort()}`],
        [/^Connection name/, 'ssh-refused'],
        [/^SSH server/, `127.0.0.1:${sshd.port}`],
        [/^SSH user name/, sshd.username],
      ],
      sshd.keys.plain,
      [undefined],
    );
    await withPrompts(h, answers, () => run('addConnection'));
    assert.equal(asked.length, 1);
    assert.ok(asked[0].detail.includes(sshd.fingerprint));
    assert.equal(userNamed('ssh-refused'), undefined);
  });

  it('a changed host key is refused with a warning naming both keys; only an explicit "Trust the New Key" replaces it', async () => {
    await run('addConnection', { connection: 'ssh-changed', host: '127.0.0.1', port: redisPort(), db: DB, ssh: { ...through(), privateKeyFile: sshd.keys.plain, hostKey: OTHER_KEY }, test: false });
    const node = await connectionNode(h.tree, 'ssh-changed');
    const before = await r.hgetall('ssh:h');
    const message = await rejectionOf('redisHashExplorer.retryConnection', { connection: 'ssh-changed' });
    assert.match(message, /SSH: host key changed/);
    assert.ok(message.includes(sshd.fingerprint) && message.includes(OTHER_KEY), message);
    const scripted = await rejectionOf('redisHashExplorer.editConnection', { connection: 'ssh-changed', readOnly: true, test: true });
    assert.match(scripted, /host key changed/);
    assert.equal(userNamed('ssh-changed')?.ssh?.hostKey, OTHER_KEY);
    // Edit, Save: the warning; dismissed, nothing changes
    const refused = formAnswers(['$(check) Save'], [], sshd.keys.plain, [undefined]);
    await withPrompts(h, refused.answers, () => run('editConnection', node));
    assert.match(refused.asked[0]?.message ?? '', /SSH: host key changed/);
    assert.equal(userNamed('ssh-changed')?.ssh?.hostKey, OTHER_KEY);
    // and trusted explicitly
    const trusted = formAnswers(['$(check) Save'], [], sshd.keys.plain, ['Trust the New Key']);
    const again = await connectionNode(h.tree, 'ssh-changed');
    await withPrompts(h, trusted.answers, () => run('editConnection', again));
    assert.ok(trusted.asked[0]?.detail.includes(OTHER_KEY) && trusted.asked[0].detail.includes(sshd.fingerprint));
    assert.equal(userNamed('ssh-changed')?.ssh?.hostKey, sshd.fingerprint);
    assert.deepEqual(await r.hgetall('ssh:h'), before, 'nothing was written');
    assert.deepEqual((await keysUnder(h.tree, await connectionNode(h.tree, 'ssh-changed'))).sort(), ['ssh:h', 'ssh:other']);
  });

  it('a connection in settings without a host key: expanding it asks to trust the fingerprint; Trust saves it and the keys show', async () => {
    const asked: Array<{ message: string; detail: string }> = [];
    const hand = { name: 'ssh-hand', host: '127.0.0.1', port: redisPort(), db: DB, ssh: { ...through(), privateKeyFile: sshd.keys.plain } };
    await withPrompts(
      h,
      {
        ask: async <T extends string>(message: string, detail: string | undefined): Promise<T | undefined> => {
          asked.push({ message, detail: detail ?? '' });
          return 'Trust' as T;
        },
      },
      async () => {
        await setConnections('ssh-hand', [hand as unknown as ProfileSetting]);
        await h.tree.getChildren(await connectionNode(h.tree, 'ssh-hand'));
        await waitFor('the host key saved', () => userNamed('ssh-hand')?.ssh?.hostKey === sshd.fingerprint);
      },
    );
    assert.equal(asked.length, 1);
    assert.ok(asked[0].detail.includes(sshd.fingerprint), asked[0].detail);
    const keys = await waitFor('the keys', async () => {
      const listed = await keysUnder(h.tree, await connectionNode(h.tree, 'ssh-hand')).catch(() => []);
      return listed.length ? listed : undefined;
    });
    assert.deepEqual(keys.sort(), ['ssh:h', 'ssh:other']);
    await setConnections('ssh-hand', []);
  });

  it('a connection whose Redis the bastion cannot reach fails by name; taking it out of settings closes its SSH connection', async () => {
    const before = new Set(sshd.sessionPids());
    const dead = { name: 'ssh-dead', host: '127.0.0.1', port: 1, db: DB, ssh: { ...through(), privateKeyFile: sshd.keys.plain, hostKey: sshd.fingerprint } };
    await setConnections('ssh-dead', [dead as unknown as ProfileSetting]);
    await connectionNode(h.tree, 'ssh-dead');
    await assert.rejects(h.tree.pool.get('ssh-dead', DB), /SSH: the bastion 127\.0\.0\.1:\d+ cannot reach 127\.0\.0\.1:1 \(connection refused there\)/);
    const mine = sshd.sessionPids().filter((p) => !before.has(p));
    assert.ok(mine.length > 0, 'the SSH connection is open');
    await setConnections('ssh-dead', []);
    await waitFor('its SSH connection closed', () => sshd.sessionPids().every((p) => !mine.includes(p)));
  });

  it('a wrong SSH password is refused by name; nothing is saved', async () => {
    const message = await rejectionOf('redisHashExplorer.addConnection', { connection: 'ssh-pw', host: '127.0.0.1', port: redisPort(), ssh: { ...through(), hostKey: sshd.fingerprint }, sshPassword: 'not-the-password' });
    assert.match(message, new RegExp(`SSH: authentication failed \\(${sshd.username}@127\\.0\\.0\\.1:${sshd.port}\\): the server refused the password`));
    assert.equal(userNamed('ssh-pw'), undefined);
  });

  it('a private key file that does not exist is refused by name; nothing is saved', async () => {
    const missing = `${sshd.keys.plain}.missing`;
    const message = await rejectionOf('redisHashExplorer.addConnection', { connection: 'ssh-nofile', host: '127.0.0.1', port: redisPort(), ssh: { ...through(), privateKeyFile: missing, hostKey: sshd.fingerprint } });
    assert.ok(message.includes(`cannot read the private key file "${missing}": no such file`), message);
    assert.equal(userNamed('ssh-nofile'), undefined);
  });
});
