// SSH and TLS secrets in the real extension host, through a real sshd the suite starts: log-in with an SSH
// agent, a renamed connection keeping its key passphrase (secret storage follows the name), and a TLS client
// certificate with an encrypted key behind the bastion, its passphrase only in secret storage. A redis-server
// with --tls-auth-clients yes of its own (certificates from openssl); connections named "sshs-…".
import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import * as vscode from 'vscode';
import { startTlsRedis, makeCerts } from '../../support/tlsCerts';
import type { TestCerts } from '../../support/tlsCerts';
import type { TestRedis } from '../../support/redisServer';
import { startSshd } from '../../support/sshd';
import type { TestSshd } from '../../support/sshd';
import type { TestHooks } from './sidebarSupport';
import { connectionNode, hooks, inputsAndPicks, keysUnder, rejectionOf, withPrompts } from './sidebarSupport';
import type { PromptLayer } from '../../../src/commands/prompts';

const run = (id: string, arg?: unknown) => Promise.resolve(vscode.commands.executeCommand(`redisHashExplorer.${id}`, arg));

function settingsText(): string {
  return JSON.stringify(vscode.workspace.getConfiguration('redisHashExplorer').inspect('connections')?.globalValue ?? []);
}

function named(name: string): unknown {
  return vscode.workspace.getConfiguration('redisHashExplorer').inspect<Array<{ name: string }>>('connections')?.globalValue?.find((p) => p.name === name);
}

describe('SSH and TLS secrets', function () {
  this.timeout(120_000);
  let h: TestHooks;
  let sshd: TestSshd;
  let certs: TestCerts;
  let server: TestRedis & { tlsPort: number };
  let admin: Redis;
  const through = () => ({ host: '127.0.0.1', port: sshd.port, username: sshd.username, hostKey: sshd.fingerprint });
  // behind the bastion, the server is reached by its certificate's name
  const at = () => ({ host: 'localhost', port: server.tlsPort });
  const tls = () => ({ caFile: certs.ca, certFile: certs.clientCert, keyFile: certs.clientKeyEncrypted });

  before(async () => {
    h = await hooks();
    certs = makeCerts();
    [sshd, server] = await Promise.all([startSshd(), startTlsRedis(certs)]);
    admin = new Redis({ host: '127.0.0.1', port: server.port });
    await admin.hset('sec:h', 'f', 'v');
  });

  after(async () => {
    for (const name of ['sshs-agent', 'sshs-renamed', 'sshs-tls', 'sshs-form']) await run('removeConnection', { connection: name }).catch(() => undefined);
    admin?.disconnect();
    await Promise.all([sshd?.stop(), server?.stop()]);
    certs?.remove();
  });

  it('logs in with the keys of an SSH agent (its socket given), through to a TLS server with a client certificate', async () => {
    const agent = await sshd.startAgent();
    await run('addConnection', { connection: 'sshs-agent', ...at(), tls: { caFile: certs.ca, certFile: certs.clientCert, keyFile: certs.clientKey }, ssh: { ...through(), agent } });
    assert.deepEqual(await keysUnder(h.tree, await connectionNode(h.tree, 'sshs-agent')), ['sec:h']);
  });

  it('an encrypted TLS client key: refused without its passphrase (nothing saved); with it, saved in secret storage only and used', async () => {
    const message = await rejectionOf('redisHashExplorer.addConnection', { connection: 'sshs-tls', ...at(), tls: tls(), ssh: { ...through(), privateKeyFile: sshd.keys.plain } });
    assert.match(message, /passphrase/i);
    assert.equal(named('sshs-tls'), undefined);
    await run('addConnection', { connection: 'sshs-tls', ...at(), tls: tls(), tlsKeyPassphrase: certs.passphrase, ssh: { ...through(), privateKeyFile: sshd.keys.plain } });
    assert.ok(named('sshs-tls'));
    assert.ok(!settingsText().includes(certs.passphrase), 'the passphrase is not in settings');
    await run('editField', { connection: 'sshs-tls', key: 'sec:h', field: 'f', value: 'over TLS over SSH' });
    assert.equal(await admin.hget('sec:h', 'f'), 'over TLS over SSH');
  });

  it('the form: TLS client certificate and key from the file dialog, the key passphrase, SSH; saved with the trusted key, secrets apart', async () => {
    const files = [certs.clientCert, certs.clientKeyEncrypted, sshd.keys.plain];
    const asked: string[] = [];
    const picks = ['TLS', '    CA file', '    Client certificate', 'Choose the certificate and its key…', '    Client key passphrase', 'SSH tunnel', '    Private key file', '$(check) Save'];
    const answers: Partial<PromptLayer> = {
      ...inputsAndPicks(picks, [
        [/redis:\/\/ or rediss:\/\/ URL, or enter host:port/, `localhost:${server.tlsPort}`],
        [/^Connection name/, 'sshs-form'],
        [/^Path to a PEM CA bundle/, certs.ca],
        [/^Passphrase of the client key/, certs.passphrase],
        [/^SSH server/, `127.0.0.1:${sshd.port}`],
        [/^SSH user name/, sshd.username],
      ]),
      openFile: async () => vscode.Uri.file(files.shift() ?? ''),
      ask: async <T extends string>(message: string): Promise<T | undefined> => {
        asked.push(message);
        return 'Trust' as T;
      },
      inform: () => undefined,
    };
    await withPrompts(h, answers, () => run('addConnection'));
    assert.equal(picks.length, 0, 'every line was picked');
    assert.equal(files.length, 0, 'every file was chosen');
    assert.equal(asked.length, 1);
    assert.deepEqual(named('sshs-form'), {
      name: 'sshs-form',
      host: 'localhost',
      port: server.tlsPort,
      tls: { caFile: certs.ca, certFile: certs.clientCert, keyFile: certs.clientKeyEncrypted },
      ssh: { host: '127.0.0.1', port: sshd.port, username: sshd.username, privateKeyFile: sshd.keys.plain, hostKey: sshd.fingerprint },
    });
    assert.ok(!settingsText().includes(certs.passphrase));
    assert.ok((await keysUnder(h.tree, await connectionNode(h.tree, 'sshs-form'))).includes('sec:h'));
  });

  it('bad SSH arguments are refused, saying what is wrong; nothing is saved', async () => {
    const base = { connection: 'sshs-bad', ...at() };
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ssh: { host: '127.0.0.1' } }, /"ssh" needs a username/],
      [{ ssh: { ...through(), password: 'x' } }, /"ssh" takes host, port, username, privateKeyFile, agent, hostKey; not password/],
      [{ ssh: { ...through(), hostKey: 'MD5:00:11' } }, /hostKey must be a SHA256 fingerprint/],
      [{ sshPassword: 'x' }, /"sshPassword" is for a connection through SSH/],
      [{ ssh: { ...through(), agent: true }, sshPassphrase: 'x' }, /"sshPassphrase" is the passphrase of ssh\.privateKeyFile/],
      [{ tlsKeyPassphrase: 'x' }, /"tlsKeyPassphrase" is the passphrase of tls\.keyFile/],
    ];
    for (const [arg, expected] of cases) {
      assert.match(await rejectionOf('redisHashExplorer.addConnection', { ...base, ...arg }), expected);
      assert.equal(named('sshs-bad'), undefined);
    }
  });

  it('a renamed connection keeps its SSH key passphrase and TLS key passphrase (secret storage follows the name)', async () => {
    await run('addConnection', {
      connection: 'sshs-before',
      ...at(),
      tls: tls(),
      tlsKeyPassphrase: certs.passphrase,
      ssh: { ...through(), privateKeyFile: sshd.keys.encrypted },
      sshPassphrase: sshd.keys.passphrase,
    });
    await run('editConnection', { connection: 'sshs-before', newName: 'sshs-renamed', test: true });
    assert.equal(named('sshs-before'), undefined);
    await run('editField', { connection: 'sshs-renamed', key: 'sec:h', field: 'f', value: 'after the rename' });
    assert.equal(await admin.hget('sec:h', 'f'), 'after the rename');
    assert.ok(!settingsText().includes(sshd.keys.passphrase) && !settingsText().includes(certs.passphrase));
  });
});
