// Live updates in the real workbench (code-server + headless chromium): live mode on for this spec. An external
// writer (a plain client, like an application) changes, adds, deletes and expires fields while the hash editor is
// open; the table's rows, their highlight, the header's count and the live status follow. A row being edited in
// place is not changed under the user: it is marked, and its save goes through the conflict dialog.
import * as assert from 'node:assert/strict';
import { expand, fieldRow as rowNamed, hasFieldTtls, hashEditorFrame as editor, openRedisView, startWorkbench, treeItem, waitUntil } from './fixture.mjs';

const KEY = 'live:h';

/** The texts of the table's drawn rows, as "field=value", in order on screen. */
async function rowTexts(frame) {
  return frame.locator('.grid-body .row:not(.loading)').evaluateAll((rows) =>
    rows
      .map((r) => ({ top: r.getBoundingClientRect().top, text: `${r.querySelector('.cell.field .txt')?.textContent}=${r.querySelector('.cell.value .txt')?.textContent}` }))
      .sort((a, b) => a.top - b.top)
      .map((r) => r.text),
  );
}

describe('live updates (workbench)', function () {
  this.timeout(300_000);
  let wb;
  let page;

  before(async () => {
    wb = await startWorkbench({ seed: (redis) => redis.hset(KEY, 'a', '1', 'b', '2', 'c', '3'), settings: { 'redisHashExplorer.live.mode': 'auto' } });
    page = wb.page;
    await openRedisView(page);
    await expand(page, 'local');
    await expand(page, 'live');
    const key = treeItem(page, 'h').first();
    await key.hover();
    await key.getByRole('button', { name: 'Open Hash Editor' }).click();
    // A tree refresh between the hover and the click (the key scan finishing) leaves the inline button without its
    // row: the command then asks for the key, as it does from the palette.
    const picker = page.locator('.quick-input-widget .monaco-list-row', { hasText: KEY });
    const opened = editor(page).locator('.grid-body');
    await Promise.race([picker.first().waitFor({ timeout: 30_000 }), opened.waitFor({ timeout: 30_000 })]);
    if (await picker.first().isVisible()) await page.keyboard.press('Enter');
  });
  afterEach(async function () {
    const t = this.currentTest;
    if (t?.state === 'failed') await wb?.screenshot(`live-failed-${t.title.replace(/\W+/g, '-').slice(0, 40)}`);
  });
  after(() => wb?.stop());

  it('follows an external writer: a changed row (highlighted), a new field in its sorted place, a deleted one, the count', async () => {
    const frame = editor(page);
    await rowNamed(frame, 'a').waitFor();
    const status = frame.locator('.hdr .live');
    await frame.locator('.hdr .live[data-state="live"]').waitFor({ timeout: 20_000 });
    assert.equal(await status.locator('.live-text').textContent(), 'Live');
    assert.equal(await frame.locator('.hdr .count').textContent(), '3 fields');

    // a change in place: the row's text changes and it is highlighted
    await wb.redis.hset(KEY, 'b', 'changed elsewhere');
    await rowNamed(frame, 'b').locator('.cell.value .txt', { hasText: 'changed elsewhere' }).waitFor();
    await frame.locator('.grid-body .row.live-changed').filter({ has: frame.locator('.cell.field .txt:text-is("b")') }).waitFor({ timeout: 5_000 });
    assert.equal(await frame.locator('.grid-body .row.live-changed').count(), 1, 'only the changed row is highlighted');
    await wb.screenshot('live-changed-row');
    // the highlight is brief
    await frame.locator('.grid-body .row.live-changed').waitFor({ state: 'detached', timeout: 5_000 });

    // sorted by field, descending: a new field comes in its sorted place
    await frame.getByRole('button', { name: 'Field', exact: true }).click();
    await frame.getByRole('button', { name: 'Field', exact: true }).click();
    await waitUntil('sorted descending', async () => (await rowTexts(frame)).join(',') === 'c=3,b=changed elsewhere,a=1');
    await wb.redis.hset(KEY, 'bb', 'new');
    await waitUntil('bb in its sorted place', async () => (await rowTexts(frame)).join(',') === 'c=3,bb=new,b=changed elsewhere,a=1');
    await waitUntil('count 4', async () => (await frame.locator('.hdr .count').textContent()) === '4 fields');
    assert.equal(await frame.locator('.grid-body .row:not(.loading)').count(), 4);

    // a deleted field goes
    await wb.redis.hdel(KEY, 'c');
    await rowNamed(frame, 'c').waitFor({ state: 'detached' });
    await waitUntil('count 3', async () => (await frame.locator('.hdr .count').textContent()) === '3 fields');
    assert.equal(await frame.locator('.grid-body .row:not(.loading)').count(), 3);
    assert.equal(await frame.locator('[role=grid]').getAttribute('aria-rowcount'), '4');
  });

  it('a field expiring on the server leaves the table (servers with field TTLs); the key expiring shows the deleted bar, Recreate writes it back', async () => {
    const frame = editor(page);
    if (await hasFieldTtls(wb.redis)) {
      await wb.redis.call('HPEXPIRE', KEY, '300', 'FIELDS', '1', 'bb');
      await rowNamed(frame, 'bb').waitFor({ state: 'detached' });
      await waitUntil('count 2', async () => (await frame.locator('.hdr .count').textContent()) === '2 fields');
      assert.equal(await frame.locator('.grid-body .row:not(.loading)').count(), 2);
    }
    const before = await rowTexts(frame);
    await wb.redis.pexpire(KEY, 300);
    const bar = frame.locator('.deleted-bar');
    await bar.waitFor({ state: 'visible', timeout: 15_000 });
    assert.match(await bar.textContent(), /deleted on the server/);
    assert.equal(await wb.redis.exists(KEY), 0);
    // the table keeps what it held, so the key can be written back from it
    assert.deepEqual(await rowTexts(frame), before);
    assert.match(await frame.locator('.progress-text').textContent(), new RegExp(`^${before.length} loaded`));
    await wb.screenshot('live-key-deleted');
    // keyboard: Recreate is a button reachable with Tab; Enter on it writes the key back
    await bar.getByRole('button', { name: 'Recreate' }).focus();
    await page.keyboard.press('Enter');
    await bar.waitFor({ state: 'hidden', timeout: 15_000 });
    const fields = Object.fromEntries(before.map((t) => t.split('=')));
    assert.deepEqual(await wb.redis.hgetall(KEY), fields);
  });

  it('a row being edited keeps what the user typed: marked "changed on the server", its save meets the conflict dialog', async () => {
    const frame = editor(page);
    await rowNamed(frame, 'a').click();
    await page.keyboard.press('Enter');
    const input = frame.locator('.inline-edit');
    await input.waitFor();
    await input.fill('mine');
    await wb.redis.hset(KEY, 'a', 'theirs', 'b', 'also theirs');
    // the other row follows; the one being edited is marked and keeps the user's text
    await rowNamed(frame, 'b').locator('.cell.value .txt', { hasText: 'also theirs' }).waitFor();
    await rowNamed(frame, 'a').locator('.live-marker', { hasText: 'changed on the server' }).waitFor();
    assert.equal(await input.inputValue(), 'mine');
    await wb.screenshot('live-held-row');
    await input.press('Enter');
    const dialog = frame.getByRole('dialog');
    await dialog.waitFor();
    assert.match(await dialog.locator('.conflict').textContent(), /changed on the server/);
    assert.equal(await dialog.locator('.server-value').textContent(), 'theirs');
    assert.equal(await wb.redis.hget(KEY, 'a'), 'theirs', 'nothing overwritten');
    // the user keeps theirs: the row shows the server's value, without the marker
    await dialog.getByRole('button', { name: 'Reload (discard mine)' }).click();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await rowNamed(frame, 'a').locator('.cell.value .txt', { hasText: 'theirs' }).waitFor();
    await rowNamed(frame, 'a').locator('.live-marker').waitFor({ state: 'hidden' });
  });

  it('Pause keeps the table as it is (keyboard); Resume re-reads', async () => {
    const frame = editor(page);
    const toggle = frame.locator('.hdr .live .live-toggle');
    await toggle.focus();
    await page.keyboard.press('Enter');
    await frame.locator('.hdr .live[data-state="paused"]').waitFor();
    assert.match(await frame.locator('.hdr .live-text').textContent(), /^Paused/);
    assert.equal(await toggle.getAttribute('aria-label'), 'Resume live updates in this editor');
    await wb.redis.hset(KEY, 'a', 'while paused');
    // absence cannot be waited for: a second is several times what a live change takes to show (bench: live)
    await page.waitForTimeout(1000);
    assert.equal(await rowNamed(frame, 'a').locator('.cell.value .txt').textContent(), 'theirs');
    await page.keyboard.press('Enter');
    await frame.locator('.hdr .live[data-state="live"]').waitFor();
    await rowNamed(frame, 'a').locator('.cell.value .txt', { hasText: 'while paused' }).waitFor();
  });
});
