// The Redis view in the real workbench, clicked like a user would: the welcome view's Add Connection,
// expanding a connection and a hash, and Delete Field from a context menu with its confirmation.
import * as assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from '../host/codeServer.mjs';
import { contextMenu, expand, openRedisView, quickInput, runCommand, startWorkbench, treeItem, waitUntil } from './fixture.mjs';

const require = createRequire(import.meta.url);

const rowLabels = (page) => page.locator('.part.sidebar .pane-body [role=treeitem] .label-name').allTextContents();

describe('Redis view (UI)', function () {
  let wb;

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await wb?.screenshot(`failed-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => {});
    await wb?.stop();
    wb = undefined;
  });

  it('welcomes a first-time user and adds a connection from a pasted URL', async () => {
    wb = await startWorkbench({
      connections: [],
      seed: async (redis) => {
        await redis.hset('cart:1', 'apples', '3');
      },
    });
    const { page } = wb;
    await openRedisView(page);
    const welcome = page.locator('.part.sidebar .welcome-view-content');
    await welcome.waitFor();
    assert.match(await welcome.innerText(), /No Redis connection yet/);
    await wb.screenshot('sidebar-welcome');

    await welcome.getByRole('button', { name: 'Add Connection' }).click();
    const input = await quickInput(page);
    await input.fill(`redis://127.0.0.1:${wb.redisPort}`);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-message', { hasText: 'Connection name' }).waitFor();
    await input.fill('my redis');
    await page.keyboard.press('Enter');
    // The review list: every field can be changed; "Save" is first.
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Save' }).waitFor();
    assert.ok((await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Read-only' }).count()) === 1);
    await page.keyboard.press('Enter');

    await treeItem(page, 'my redis').waitFor();
    await expand(page, 'my redis');
    await expand(page, 'cart');
    await treeItem(page, '1').waitFor();
    assert.deepEqual(await rowLabels(page), ['my redis', 'cart', '1']);
    await wb.screenshot('sidebar-added-connection');
  });

  it('expands a connection and a hash, and deletes a field from its context menu after confirming', async () => {
    wb = await startWorkbench({
      seed: async (redis) => {
        await redis.hset('user:1', 'name', 'Ada Lovelace', 'email', 'ada@example.com', 'born', '1815');
        await redis.hset('user:2', 'name', 'Charles Babbage');
        await redis.hset('order:1001', 'total', '42.50');
        await redis.set('not-a-hash', 'x');
      },
    });
    const { page, redis } = wb;
    await openRedisView(page);
    await expand(page, 'local');
    await expand(page, 'user');
    await expand(page, '1');
    await treeItem(page, 'email').waitFor();
    // Folders, then keys (the string key is hidden: only hashes); fields in the order HSCAN gave them.
    assert.deepEqual(await rowLabels(page), ['local', 'order', 'user', '1', 'name', 'email', 'born', '2']);
    const fieldRows = page.locator('.part.sidebar .pane-body [role=treeitem][aria-level="4"]');
    assert.equal(await fieldRows.count(), 3, 'three field rows under user:1');
    assert.equal(await treeItem(page, 'email').locator('.label-description').innerText(), 'ada@example.com');
    assert.equal(await treeItem(page, '1').locator('.label-description').innerText(), '3 fields');
    await wb.screenshot('sidebar-expanded');

    await contextMenu(page, treeItem(page, 'email'), 'Delete Field');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /Delete field "email" from "user:1"\?/);
    await wb.screenshot('sidebar-delete-field-confirm');
    await dialog.getByRole('button', { name: 'Delete' }).click();

    await waitUntil('the field to be deleted in Redis', async () => (await redis.hexists('user:1', 'email')) === 0);
    assert.deepEqual(await redis.hgetall('user:1'), { name: 'Ada Lovelace', born: '1815' });
    await waitUntil('the row to go', async () => (await treeItem(page, 'email').count()) === 0);
    assert.equal(await fieldRows.count(), 2);
    assert.equal(await treeItem(page, '1').locator('.label-description').innerText(), '2 fields');
    await wb.screenshot('sidebar-after-delete');
  });

  it('deletes a key from the palette, picking it from SCAN pages narrowed by typing', async () => {
    wb = await startWorkbench({
      seed: async (redis) => {
        const p = redis.pipeline();
        for (let i = 0; i < 3000; i++) p.hset(`user:${i}`, 'name', `user ${i}`);
        await p.exec();
      },
    });
    const { page, redis } = wb;
    await openRedisView(page);
    await runCommand(page, 'Redis: Delete Key');
    const input = await quickInput(page);
    const rows = page.locator('.quick-input-list .monaco-list-row');
    // The first SCAN pages (and a "Load more…" row at the end), never the whole keyspace.
    const count = page.locator('.quick-input-widget .quick-input-visible-count');
    // Names show as each SCAN page brings them; the picker pauses after a page's worth (200 here).
    const shown = await waitUntil('the first page of keys', async () => {
      const n = Number(/(\d+)/.exec(await count.innerText())?.[1] ?? 0);
      return n >= 200 ? n : undefined;
    });
    assert.ok(shown >= 200 && shown < 3000, `${shown} keys listed of 3000`);
    await page.keyboard.press('ArrowUp'); // wraps to the last row
    await rows.filter({ hasText: 'Load more' }).first().waitFor();
    await input.fill('user:123');
    // SCAN MATCH *user:123*: user:123 and user:1230 to user:1239.
    const names = page.locator('.quick-input-list .monaco-list-row .label-name');
    await waitUntil('the matching keys', async () => {
      const texts = await names.allTextContents();
      return texts.length === 11 && texts.every((t) => /^user:123\d?$/.test(t));
    });
    await wb.screenshot('sidebar-key-picker');
    await names.filter({ hasText: /^user:123$/ }).click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /Delete key "user:123"\?/);
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await waitUntil('the key to be deleted in Redis', async () => (await redis.exists('user:123')) === 0);
    assert.equal(await redis.dbsize(), 2999);
  });
  it('fits its rows in a sidebar of normal width and shows long texts at the top of the view, where they wrap', async () => {
    const { freePort } = require(join(repoRoot, 'out', 'test', 'support', 'redisServer.js'));
    const closed = await freePort();
    wb = await startWorkbench({
      connections: (port) => [
        { name: 'local', host: '127.0.0.1', port },
        { name: 'offline', host: '127.0.0.1', port: closed },
      ],
      seed: async (redis) => {
        await redis.hset('customer:eu-west:premium:1001', 'name', 'Ada');
      },
    });
    const { page } = wb;
    await openRedisView(page);
    await expand(page, 'offline');
    const errorRow = page.locator('.part.sidebar .pane-body [role=treeitem][aria-level="2"]').first();
    await errorRow.waitFor();
    await runCommand(page, 'Redis: Filter Keys');
    let input = await quickInput(page);
    // the connection picker, then the pattern
    if (await page.locator('.quick-input-list .monaco-list-row', { hasText: 'local' }).count()) {
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'local' }).first().click();
      input = await quickInput(page);
    }
    const pattern = 'customer:eu-west:premium:*';
    await input.fill(pattern);
    await page.keyboard.press('Enter');
    await expand(page, 'local');
    await treeItem(page, 'customer').waitFor();
    // the view's message names the filter and why the other connection failed, in full
    const message = page.locator('.part.sidebar .pane-body .message');
    await waitUntil('the view message', async () => (await message.innerText()).includes(pattern));
    const text = await message.innerText();
    assert.match(text, new RegExp(`Key filter on local: ${pattern.replace(/[*]/g, '\\*')}`));
    assert.match(text, /offline: /);
    // no row is cut at the sidebar's edge (the default width)
    const cut = await page.locator('.part.sidebar .pane-body [role=treeitem] .monaco-icon-label-container').evaluateAll((els) =>
      els.filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent),
    );
    assert.deepEqual(cut, []);
    await wb.screenshot('sidebar-long-texts');
  });
});
