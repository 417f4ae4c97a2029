// Scrolling the hash editor while a 1,000,000-field hash loads, in the real workbench: the row under a fixed
// point of the table (where the pointer is) stays that row as rows arrive, past 333,334 rows too (there the
// table's height is capped and its scroll position scaled), also when sorted; no "…" placeholder stays on screen.
// The load is stopped once it is past that point, the table scrolled to its end, and the load resumed while a
// sampler inside the webview reads the row under the point every frame.
/* global document, window, performance, requestAnimationFrame -- functions passed to frame.evaluate run in the webview */
import * as assert from 'node:assert/strict';
import { MILLION, openHashFromPalette, seedMillion, startWorkbench, waitUntil } from './fixture.mjs';

/** rows of 24 px past which the grid's 8,000,000 px spacer is capped and scrollTop scaled */
const SCALED_FROM = 333_334;
/** where the point is in the table body, px from its left and its top (whole px: the pointer's position is) */
const POINT = { x: 60, y: 203 };

/** The editor webview's document as a playwright Frame (a sampler runs in it). */
function editorFrame(page) {
  return waitUntil(
    'the editor document',
    async () => {
      for (const f of page.frames()) if (!f.isDetached() && (await f.$('.grid-body').catch(() => null))) return f;
      return undefined;
    },
    60_000,
  );
}

/** Waits until the load is past `min` rows, then clicks Stop (in the same frame it saw the count) and waits for "stopped". */
async function stopPast(frame, min) {
  await frame.waitForFunction(
    (min) => {
      const text = document.querySelector('.progress-text')?.textContent ?? '';
      const loaded = Number((text.match(/^([\d,]+)/)?.[1] ?? '0').replace(/,/g, ''));
      if (loaded < min || !/loading…/.test(text)) return false;
      const stop = [...document.querySelectorAll('.status-row button')].find((b) => !b.hidden && b.textContent?.includes('Stop'));
      stop?.click();
      return Boolean(stop);
    },
    min,
    { polling: 'raf', timeout: 120_000 },
  );
  await frame.waitForFunction(() => /stopped/.test(document.querySelector('.progress-text')?.textContent ?? ''), undefined, { timeout: 30_000 });
}

/** Waits until the table stopped scrolling (a wheel scrolls smoothly, over several frames) and the row under the point is filled (not "…"). */
async function pointFilled(frame) {
  await frame.evaluate(() => (window.rheStill = { top: -1, frames: 0 }));
  await frame.waitForFunction(
    (pt) => {
      const body = document.querySelector('.grid-body');
      const still = window.rheStill;
      if (body.scrollTop !== still.top) Object.assign(still, { top: body.scrollTop, frames: 0 });
      if (++still.frames < 15) return false;
      const r = body.getBoundingClientRect();
      const row = document.elementFromPoint(r.left + pt.x, Math.round(r.top) + pt.y)?.closest('.row');
      return row && !row.classList.contains('loading') && row.querySelector('.cell.field .txt')?.textContent;
    },
    POINT,
    { polling: 'raf', timeout: 30_000 },
  );
}

/**
 * Reads the row under the point every frame for `ms` (or until the load ended and one more second passed), optionally
 * clicking Resume first (in the same frame the sampling starts). Returns the samples.
 */
async function sample(frame, ms, resume) {
  return frame.evaluate(
    ([pt, ms, resume]) =>
      new Promise((resolve) => {
        const body = document.querySelector('.grid-body');
        const grid = document.querySelector('[role=grid]');
        const samples = [];
        const started = performance.now();
        let doneAt = 0;
        const read = () => {
          const r = body.getBoundingClientRect();
          const row = document.elementFromPoint(r.left + pt.x, Math.round(r.top) + pt.y)?.closest('.row');
          const text = document.querySelector('.progress-text')?.textContent ?? '';
          samples.push({
            index: row?.getAttribute('aria-rowindex') ?? null,
            field: row?.querySelector('.cell.field .txt')?.textContent ?? null,
            loading: !row || row.classList.contains('loading'),
            count: Number(grid.getAttribute('aria-rowcount')) - 1,
            text,
          });
          const now = performance.now();
          if (!doneAt && !/loading…/.test(text)) doneAt = now;
          if (now - started < ms && (!doneAt || now - doneAt < 1000)) requestAnimationFrame(read);
          else resolve(samples);
        };
        read();
        if (resume) [...document.querySelectorAll('.status-row button')].find((b) => !b.hidden && b.textContent?.includes('Resume'))?.click();
      }),
    [POINT, ms, resume],
  );
}

/** Every sample shows the first sample's row (same field; same position too unless sorted) and none is a placeholder. */
function assertSteady(samples, sorted, what) {
  assert.ok(samples.length > 5, `${what}: ${samples.length} samples`);
  const first = samples[0];
  assert.ok(first.field && !first.loading, `${what}: the first sample is a filled row: ${JSON.stringify(first)}`);
  for (const s of samples) {
    const same = s.field === first.field && (sorted || s.index === first.index) && !s.loading;
    assert.ok(same, `${what}: the row under the point changed from ${first.field} (row ${first.index}, ${first.count} rows) to ${s.loading ? 'a placeholder' : s.field} (row ${s.index}, ${s.count} rows; ${s.text})`);
  }
}

describe('hash editor: scrolling while a 1,000,000-field hash loads (workbench)', function () {
  this.timeout(400_000);
  let wb;
  let page;

  before(async () => {
    wb = await startWorkbench({ seed: seedMillion });
    page = wb.page;
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) await wb.screenshot(`scroll-while-loading-failed-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 40)}`);
  });
  after(async () => {
    await wb?.stop();
  });

  /**
   * Stops the load past the scaled height, goes to the end (End), resumes, and reads the row under the point while
   * rows arrive; then scrolls up by the wheel a few times during the load, reading again after each.
   */
  async function scrollDuringLoad(frame, sorted) {
    await stopPast(frame, SCALED_FROM + 10_000);
    const body = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame').locator('.grid-body');
    await body.locator('.row:not(.loading)').first().click();
    await page.keyboard.press('End');
    await pointFilled(frame);
    const box = await body.boundingBox();
    await page.mouse.move(box.x + POINT.x, Math.round(box.y) + POINT.y);
    const phases = [await sample(frame, 700, true)];
    assertSteady(phases[0], sorted, 'after Resume');
    for (let i = 0; i < 6 && /loading…/.test(phases.at(-1).at(-1).text); i++) {
      await page.mouse.wheel(0, -24 * 40);
      await pointFilled(frame);
      const s = await sample(frame, 500, false);
      assertSteady(s, sorted, `after wheel ${i + 1}`);
      phases.push(s);
    }
    // rows came while the table was scrolled past the capped height (otherwise the test proved nothing)
    const counts = phases.flat().map((s) => s.count);
    assert.ok(Math.min(...counts) > SCALED_FROM, `scrolled past ${SCALED_FROM} rows: ${Math.min(...counts)}`);
    assert.ok(new Set(counts).size > 1, `rows arrived while sampling: ${[...new Set(counts)].join(', ')}`);
    const last = phases.at(-1).at(-1);
    await waitUntil('the load to end', () => frame.evaluate(() => !/loading…/.test(document.querySelector('.progress-text')?.textContent ?? '')), 120_000);
    // once loaded: the same row under the point, and not one placeholder on screen
    const after = await sample(frame, 300, false);
    assertSteady([last, ...after], sorted, 'after the load ended');
    await waitUntil('no placeholder row', async () => (await frame.$$('.grid-body .row.loading')).length === 0, 5_000);
    assert.equal(await frame.getAttribute('[role=grid]', 'aria-rowcount'), String(MILLION + 1));
  }

  it('keeps the row under the pointer while rows arrive past 333,334 rows, no placeholder left', async () => {
    await openHashFromPalette(page, 'big:hash');
    const frame = await editorFrame(page);
    await scrollDuringLoad(frame, false);
    await wb.screenshot('scroll-while-loading');
  });

  it('keeps the row under the pointer while a sorted view is re-sorted as rows arrive', async () => {
    const frame = await editorFrame(page);
    const editorDoc = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await editorDoc.locator('.sort-button', { hasText: 'Field' }).click();
    await editorDoc.locator('[role=columnheader][aria-sort=ascending]').waitFor({ timeout: 60_000 });
    await editorDoc.getByRole('button', { name: /^Refresh/ }).click();
    // the new load (not the end of the last one)
    await frame.waitForFunction(
      (max) => {
        const text = document.querySelector('.progress-text')?.textContent ?? '';
        return /loading…/.test(text) && Number((text.match(/^([\d,]+)/)?.[1] ?? '0').replace(/,/g, '')) < max;
      },
      SCALED_FROM,
      { polling: 'raf', timeout: 30_000 },
    );
    await scrollDuringLoad(frame, true);
  });
});
