// Field selection and bulk actions in the real workbench (code-server + headless chromium) against a real
// Redis: click, Ctrl+click and Shift+click select rows (aria-selected, the count in the toolbar), a sort or a
// filter keeps the selection, Escape clears it, Ctrl+A selects every loaded row, Delete removes exactly the
// selected rows from the table and the server after the workbench's confirmation, and a pattern over the whole
// hash is counted, its loaded rows shown selected, and deleted after the key's name is typed.
import * as assert from 'node:assert/strict';
import { openHashFromTree, quickInput, startWorkbench, waitUntil } from './fixture.mjs';

const KEY = 'bulk:h';
const names = Array.from({ length: 30 }, (_, i) => `item:${String(i).padStart(2, '0')}`);

function editor(page) {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

function rowNamed(frame, field) {
  return frame.locator('.grid-body .row').filter({ has: frame.locator(`.cell.field .txt:text-is(${JSON.stringify(field)})`) });
}

/** The field names of the rows shown as selected, sorted. */
async function selectedNames(frame) {
  const cells = frame.locator('.grid-body .row[aria-selected="true"] .cell.field .txt');
  return (await cells.allTextContents()).sort();
}

async function countText(frame) {
  return (await frame.locator('.selection-count').textContent()) ?? '';
}

/** Waits until the rows shown as selected are exactly `want` and the toolbar says `count` (rendering is on the next frame). */
async function expectSelected(frame, want, count) {
  try {
    await waitUntil(`${want.join(', ')} selected`, async () => JSON.stringify(await selectedNames(frame)) === JSON.stringify(want) && (await countText(frame)) === count, 5_000);
  } catch {
    assert.deepEqual({ rows: await selectedNames(frame), count: await countText(frame) }, { rows: want, count });
  }
}

/** Clicks the Field header until the sort is `state`, then waits until the top row shows the new order. */
async function sortByField(frame, state, top) {
  const header = frame.locator('.header-row .cell.field');
  for (let i = 0; i < 3 && (await header.getAttribute('aria-sort')) !== state; i++) {
    const before = await header.getAttribute('aria-sort');
    await header.locator('.sort-button').click();
    await waitUntil('the sort changed', async () => (await header.getAttribute('aria-sort')) !== before);
  }
  await frame.locator('.grid-body').evaluate((b) => (b.scrollTop = 0));
  await waitUntil(`${top} on top`, async () => (await frame.locator('.grid-body .row[aria-rowindex="2"] .cell.field .txt').textContent()) === top);
}

describe('bulk selection (workbench)', function () {
  this.timeout(300_000);
  let wb;
  let page;

  before(async () => {
    wb = await startWorkbench({
      seed: async (redis) => {
        const args = [];
        for (const n of names) args.push(n, `value of ${n}`);
        for (let i = 0; i < 1500; i++) args.push(`log:${i}`, `entry ${i}`);
        await redis.hset(KEY, ...args);
      },
    });
    page = wb.page;
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) await wb.screenshot(`bulk-failed-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 40)}`);
  });
  after(async () => {
    await wb?.stop();
  });

  it('click, Ctrl+click and Shift+click select rows; the toolbar counts them', async () => {
    await openHashFromTree(page, 'bulk', 'h');
    const frame = editor(page);
    await waitUntil('every field loaded', async () => /^1,530 of 1,530 loaded/.test((await frame.locator('.progress-text').textContent()) ?? ''), 30_000);
    // sorted by name: item:00 … item:29 come first, in order
    await sortByField(frame, 'ascending', 'item:00');
    await rowNamed(frame, 'item:00').locator('.cell.field').click();
    await expectSelected(frame, ['item:00'], '');
    await rowNamed(frame, 'item:03').locator('.cell.field').click({ modifiers: ['Control'] });
    await rowNamed(frame, 'item:05').locator('.cell.field').click({ modifiers: ['Control'] });
    await expectSelected(frame, ['item:00', 'item:03', 'item:05'], '3 selected');
    // Ctrl+click on a selected row takes it out
    await rowNamed(frame, 'item:03').locator('.cell.field').click({ modifiers: ['Control'] });
    await expectSelected(frame, ['item:00', 'item:05'], '2 selected');
    // Shift+click: the range from the last clicked row (item:03, even though that click took it out)
    await rowNamed(frame, 'item:09').locator('.cell.field').click({ modifiers: ['Shift'] });
    const range = ['item:03', 'item:04', 'item:05', 'item:06', 'item:07', 'item:08', 'item:09'];
    await expectSelected(frame, range, '7 selected');
    // Shift+Arrow extends it
    await page.keyboard.press('Shift+ArrowDown');
    await expectSelected(frame, [...range, 'item:10'], '8 selected');
  });

  it('the selection survives a sort and a filter (held by field, not by row position); Escape clears it', async () => {
    const frame = editor(page);
    await frame.locator('.header-row .cell.field .sort-button').click();
    await frame.locator('.header-row .cell.field[aria-sort="descending"]').waitFor();
    await waitUntil('the count after the sort', async () => (await countText(frame)) === '8 selected');
    await frame.locator('.grid-body').evaluate((b) => (b.scrollTop = b.scrollHeight));
    await rowNamed(frame, 'item:07').and(frame.locator('[aria-selected="true"]')).waitFor();
    assert.equal(await rowNamed(frame, 'item:02').getAttribute('aria-selected'), 'false');
    await frame.locator('.header-row .cell.field .sort-button').click();
    await frame.locator('.header-row .cell.field[aria-sort="none"]').waitFor();
    // a filter that hides some selected rows keeps them selected; clearing it shows them selected again
    const filter = frame.getByRole('searchbox', { name: 'Filter loaded fields' });
    await filter.fill('item:0');
    await waitUntil('filtered', async () => (await frame.locator('[role=grid]').getAttribute('aria-rowcount')) === '11');
    await expectSelected(frame, ['item:03', 'item:04', 'item:05', 'item:06', 'item:07', 'item:08', 'item:09'], '8 selected');
    // item:10, hidden by that filter, is still selected when another filter shows it
    await filter.fill('item:1');
    await waitUntil('filtered again', async () => (await frame.locator('[role=grid]').getAttribute('aria-rowcount')) === '11');
    await expectSelected(frame, ['item:10'], '8 selected');
    await filter.fill('');
    await waitUntil('unfiltered', async () => (await frame.locator('[role=grid]').getAttribute('aria-rowcount')) === '1531');
    await frame.locator('.grid-body').focus();
    await page.keyboard.press('Escape');
    await waitUntil('no count', async () => (await countText(frame)) === '');
  });

  it('Ctrl+A selects every loaded row', async () => {
    const frame = editor(page);
    await frame.locator('.grid-body').focus();
    await page.keyboard.press('Control+A');
    await waitUntil('all counted', async () => (await countText(frame)) === '1,530 selected');
    // the count is set at once, the rows on screen at the next frame
    const unselected = frame.locator('.grid-body .row[aria-selected="false"]');
    await waitUntil('every row on screen shown selected', async () => (await unselected.count()) === 0, 2000).catch(() => undefined);
    assert.equal(await unselected.count(), 0);
    await page.keyboard.press('Escape');
    await waitUntil('cleared', async () => (await countText(frame)) === '');
  });

  it('Delete removes exactly the selected rows, from the table and from Redis, after the confirmation', async () => {
    const frame = editor(page);
    await sortByField(frame, 'ascending', 'item:00');
    await rowNamed(frame, 'item:11').locator('.cell.field').click();
    // rows near each other: the table renders only what is on screen (the value pane takes half of it)
    for (const n of ['item:12', 'item:14', 'item:16']) await rowNamed(frame, n).locator('.cell.field').click({ modifiers: ['Control'] });
    await expectSelected(frame, ['item:11', 'item:12', 'item:14', 'item:16'], '4 selected');
    await page.keyboard.press('Delete');
    const modal = page.locator('.monaco-dialog-box');
    await modal.waitFor();
    assert.match(await modal.innerText(), /Delete 4 selected fields from "bulk:h"/);
    await modal.getByRole('button', { name: 'Delete' }).click();
    const gone = ['item:11', 'item:12', 'item:14', 'item:16'];
    await waitUntil('deleted in Redis', async () => (await wb.redis.hmget(KEY, ...gone)).every((v) => v === null));
    for (const n of gone) await rowNamed(frame, n).waitFor({ state: 'detached' });
    assert.equal(await wb.redis.hlen(KEY), 1526);
    for (const n of ['item:10', 'item:13', 'item:15']) assert.equal(await rowNamed(frame, n).count(), 1, `${n} still shown`);
    assert.equal(await frame.locator('[role=grid]').getAttribute('aria-rowcount'), String(1526 + 1));
  });

  it('selects every field matching a pattern (counted on the server) and deletes them after the key name is typed', async () => {
    const frame = editor(page);
    await frame.getByRole('button', { name: /^Selection/ }).click();
    await frame.getByRole('menuitem', { name: /Select fields matching a pattern/ }).click();
    const dialog = frame.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Field pattern' }).fill('log:*');
    await dialog.getByRole('button', { name: 'Count and select' }).click();
    await waitUntil('the count', async () => (await countText(frame)) === '1,500 fields match log:*');
    // the loaded rows among them show as selected, the others not
    await rowNamed(frame, 'item:00').and(frame.locator('[aria-selected="false"]')).waitFor();
    await frame.locator('.grid-body').evaluate((b) => (b.scrollTop = b.scrollHeight));
    await rowNamed(frame, 'log:1499').and(frame.locator('[aria-selected="true"]')).waitFor();
    assert.equal(await frame.locator('.grid-body .row[aria-selected="false"]').count(), 0);
    await frame.getByRole('button', { name: /^Selection/ }).click();
    await frame.getByRole('menuitem', { name: /Delete 1,500 fields matching/ }).click();
    const input = await quickInput(page);
    assert.match(await page.locator('.quick-input-widget').innerText(), /Delete 1,500 fields matching log:\* from "bulk:h"/);
    await input.fill(KEY);
    await page.keyboard.press('Enter');
    await waitUntil('deleted in Redis', async () => (await wb.redis.hlen(KEY)) === 26, 30_000);
    await waitUntil('the table shows what is left', async () => (await frame.locator('[role=grid]').getAttribute('aria-rowcount')) === '27');
    assert.equal(await wb.redis.hexists(KEY, 'item:00'), 1);
  });
});
