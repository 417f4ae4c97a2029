// SSH in the real workbench: a connection written in settings through a real sshd (test/support/sshd.ts) with
// no trusted host key yet. Expanding it shows the trust question with the server's fingerprint (a modal);
// Trust stores it and the keys come through the tunnel.
import * as assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from '../host/codeServer.mjs';
import { expand, openRedisView, startWorkbench, treeItem, treeRows, waitUntil } from './fixture.mjs';

const require = createRequire(import.meta.url);

describe('SSH (UI)', function () {
  let wb;
  let sshd;

  before(async function () {
    this.timeout(60_000);
    const { startSshd } = require(join(repoRoot, 'out', 'test', 'support', 'sshd.js'));
    sshd = await startSshd();
  });

  after(async () => {
    await sshd?.stop();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await wb?.screenshot(`failed-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => {});
    await wb?.stop();
    wb = undefined;
  });

  it('asks to trust the SSH server when the connection is expanded, showing its fingerprint; Trust lists the keys', async () => {
    wb = await startWorkbench({
      seed: async (redis) => {
        await redis.hset('via:tunnel', 'f', 'v');
      },
      connections: (port) => [{ name: 'behind bastion', host: '127.0.0.1', port, ssh: { host: '127.0.0.1', port: sshd.port, username: sshd.username, privateKeyFile: sshd.keys.plain } }],
    });
    const { page } = wb;
    await openRedisView(page);
    await expand(page, 'behind bastion');
    const modal = page.locator('.monaco-dialog-box');
    await modal.waitFor({ timeout: 30_000 });
    const text = await modal.innerText();
    assert.match(text, new RegExp(`Trust the SSH server 127\\.0\\.0\\.1:${sshd.port}\\?`));
    assert.ok(text.includes(sshd.fingerprint), text);
    await wb.screenshot('ssh-trust');
    await modal.getByRole('button', { name: 'Trust' }).click();
    await modal.waitFor({ state: 'detached' });
    // Trusting saves the fingerprint with the connection, which connects again in place: the row stays expanded
    // and the keys come through the tunnel with no second click.
    await waitUntil(async () => `the key through the tunnel; the tree shows: ${JSON.stringify(await treeRows(page))}`, () => treeItem(page, 'via').count(), 30_000);
    await expand(page, 'via');
    await treeItem(page, 'tunnel').waitFor();
  });
});
