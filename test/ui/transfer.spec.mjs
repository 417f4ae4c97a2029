// Export, import and folder delete through the real workbench's own dialogs (code-server + headless chromium)
// against a real Redis: the save and open dialogs here are the workbench's simple file dialog (a quick input
// that takes a path). Export Hash writes exactly the hash's fields to the file; Import into Hash shows the
// preview (count, conflicts), applies the policy picked and reports what it did; Delete Keys in Folder asks for
// the folder's name above 1,000 keys and leaves exactly the keys outside the folder.
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contextMenu, expand, openRedisView, quickInput, runCommand, startWorkbench, treeItem, waitUntil } from './fixture.mjs';

const KEY = 'xfer:h';
const BINARY = Buffer.from([0xff, 0x00, 0x41, 0x0a]);
const FOLDER_KEYS = 1200;

/** Types a path into the workbench's simple save dialog once it shows its default name, and accepts it. */
async function answerSaveDialog(page, defaultName, file) {
  const input = await quickInput(page);
  // the dialog fills in its folder first, then the default name: typing before that would be overwritten
  await waitUntil('the save dialog', async () => (await input.inputValue()).endsWith(`/${defaultName}`));
  await input.fill(file);
  await waitUntil('the path typed', async () => (await input.inputValue()) === file);
  await page.keyboard.press('Enter');
}

/** The text of the notification toasts shown now, and of the notification centre when it is open. */
async function toasts(page) {
  return (await page.locator('.notifications-toasts .notification-list-item-message, .notifications-center .notification-list-item-message').allInnerTexts()).join('\n');
}

/** Waits for a notification: a toast, or (a toast hidden already, e.g. behind newer ones) the notification centre. */
async function notified(page, what, pattern) {
  try {
    await waitUntil(what, async () => pattern.test(await toasts(page)), 10_000);
  } catch {
    await runCommand(page, 'Notifications: Show Notifications');
    await waitUntil(what, async () => pattern.test(await toasts(page)));
  }
}

describe('export, import and folder delete (workbench)', function () {
  this.timeout(300_000);
  let wb;
  let page;

  before(async () => {
    wb = await startWorkbench({
      seed: async (redis) => {
        await redis.hset(KEY, 'name', 'Ada', 'quote', 'say "hi"\nthen go');
        await redis.hset(KEY, 'bin', BINARY);
      },
    });
    page = wb.page;
    await openRedisView(page);
    await expand(page, 'local');
    await expand(page, 'xfer');
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) await wb.screenshot(`transfer-failed-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 40)}`);
  });
  after(async () => {
    await wb?.stop();
  });

  it('Export Hash… from the tree writes exactly the hash as NDJSON to the path typed in the save dialog', async () => {
    const file = join(wb.workspace, 'exported.ndjson');
    await contextMenu(page, treeItem(page, 'h').first(), 'Export Hash…');
    const pick = await quickInput(page);
    await pick.fill('ndjson');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'ndjson' }).first().waitFor();
    await page.keyboard.press('Enter');
    await answerSaveDialog(page, 'xfer_h.ndjson', file);
    await notified(page, 'the report', /Exported 3 fields of "xfer:h"/);
    assert.match(await toasts(page), new RegExp(`to ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const text = readFileSync(file, 'utf8');
    assert.ok(text.endsWith('\n'), 'one line per field, each ended');
    assert.deepEqual(text.split('\n').slice(0, -1).sort(), [
      `{"field":"bin","base64":"${BINARY.toString('base64')}"}`,
      '{"field":"name","value":"Ada"}',
      '{"field":"quote","value":"say \\"hi\\"\\nthen go"}',
    ]);
    assert.equal(await wb.redis.hlen(KEY), 3, 'an export writes nothing');
  });

  it('Import into Hash… from a file: the preview names the count and the existing fields; Skip Existing adds only the new ones', async () => {
    const file = join(wb.workspace, 'incoming.ndjson');
    writeFileSync(file, ['{"field":"name","value":"Grace"}', '{"field":"city","value":"London"}', `{"field":"raw","base64":"${BINARY.toString('base64')}"}`, ''].join('\n'));
    await contextMenu(page, treeItem(page, 'h').first(), 'Import into Hash…');
    await (await quickInput(page)).waitFor();
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'File…' }).first().click();
    // the open dialog lists the workspace folder: a click on the file opens it
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'incoming.ndjson' }).first().click();
    const modal = page.locator('.monaco-dialog-box');
    await modal.waitFor();
    const text = await modal.innerText();
    assert.match(text, /Import 3 fields into "xfer:h"/);
    assert.match(text, /name = Grace/);
    assert.match(text, /1 field of them exist/);
    await modal.getByRole('button', { name: 'Skip Existing' }).click();
    await notified(page, 'the report', /Imported into "xfer:h".*: 2 added, 0 overwritten, 1 skipped \(existing\)\./);
    assert.equal(await wb.redis.hget(KEY, 'name'), 'Ada', 'the existing field is kept');
    assert.equal(await wb.redis.hget(KEY, 'city'), 'London');
    assert.deepEqual(await wb.redis.hgetBuffer(KEY, 'raw'), BINARY);
    assert.equal(await wb.redis.hlen(KEY), 5);
  });

  it('Delete Keys in Folder… counts 1,200 keys, asks for the folder name typed, deletes them all and nothing else', async () => {
    const p = wb.redis.pipeline();
    for (let i = 0; i < FOLDER_KEYS; i++) p.hset(`gone:${i}`, 'f', String(i));
    p.hset('keep:a', 'f', 'a');
    await p.exec();
    await contextMenu(page, treeItem(page, 'local').first(), 'Refresh');
    await treeItem(page, 'gone').first().waitFor({ timeout: 30_000 });
    await contextMenu(page, treeItem(page, 'gone').first(), 'Delete Keys in Folder…');
    const input = await quickInput(page);
    await waitUntil('the typed confirmation', async () => /Delete 1,200 (hash )?keys under "gone:?"/.test(await page.locator('.quick-input-widget').innerText()));
    const name = /Type the folder's name, "([^"]+)"/.exec(await page.locator('.quick-input-widget').innerText())?.[1];
    assert.ok(name === 'gone' || name === 'gone:', `folder name asked: ${name}`);
    // a wrong name is refused and deletes nothing
    await input.fill('gon');
    await page.locator('.quick-input-widget', { hasText: 'Type the folder name exactly' }).waitFor();
    assert.equal((await wb.redis.keys('gone:*')).length, FOLDER_KEYS);
    await input.fill(name);
    await page.keyboard.press('Enter');
    await waitUntil('the report', async () => /Deleted 1,200 (hash )?keys under "gone:?"/.test(await toasts(page)), 30_000);
    assert.deepEqual((await wb.redis.keys('*')).sort(), ['keep:a', KEY]);
    await treeItem(page, 'gone').waitFor({ state: 'detached' });
    // the connection scanned again: the folder left shows, the deleted one does not
    await treeItem(page, 'keep').first().waitFor();
    assert.equal(await treeItem(page, 'gone').count(), 0);
  });
});
