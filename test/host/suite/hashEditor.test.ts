// The hash editor in the real extension host against the real test Redis: opening, paging, search, lookup,
// restore through the panel serializer, message validation, big values and hostile names.
// Drives the editor through its test hooks, which go through the same message handler as the webview.
import * as assert from 'node:assert/strict';
import type Redis from 'ioredis';
import * as vscode from 'vscode';
import { CONN, DB, OPEN, allRows, closeEditors, counts, delta, open, rowNamed, seedHash, setup, teardown } from './hashEditorSupport';
import { closeClients, hooks, rejectionOf, waitFor } from './sidebarSupport';
import { serverBuild } from '../../support/redisServer';

describe('hash editor: open, page, search', function () {
  this.timeout(60_000);
  let r: Redis;

  before(async () => {
    r = await setup();
    await seedHash(r, 'he:small', 10);
    await seedHash(r, 'he:big', 200_000);
    await r.hset('he:users', 'user:1', 'a', 'user:10', 'b', 'user:2', 'c', 'admin', 'd', 'user:11', 'xyz');
  });
  after(async () => {
    await teardown();
    closeClients();
  });
  afterEach(closeEditors);

  it('opens a hash in a tab titled by its key and shows every field after the first page', async () => {
    const h = await open('he:small');
    await h.loaded();
    assert.equal(h.panel.title, 'he:small');
    assert.equal(h.status().load, 'done');
    assert.equal(h.status().loaded, 10);
    assert.equal(h.header()?.fieldCount, 10);
    assert.equal(h.header()?.readOnly, false);
    // A TTL column where the server has field TTLs (Redis 8), none on Redis 7.0
    assert.equal(h.header()?.fieldTtl, serverBuild().fieldTtl);
    const rows = await allRows(h);
    assert.deepEqual(rows.map((x) => x.field).sort(), Array.from({ length: 10 }, (_, i) => `field:${i}`).sort());
    const row = rows.find((x) => x.field === 'field:3');
    assert.equal(row?.value, 'value-3');
    assert.equal(row?.length, 7);
  });

  it('opening the same hash again reveals the same tab', async () => {
    const a = await open('he:small');
    const b = await open('he:small');
    assert.equal(a.panel, b.panel);
    const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label === 'he:small');
    await waitFor('the tab', () => tabs().length > 0);
    assert.equal(tabs().length, 1);
    assert.equal(a.openEditors().length, 1);
  });

  it('Open Hash Editor resolves with nothing; the open editors are reached through the hooks activate() returns', async () => {
    assert.equal(await vscode.commands.executeCommand(OPEN, { connection: CONN, db: DB, key: 'he:small' }), undefined);
    const editors = (await hooks()).editors;
    const found = editors.find({ connection: CONN, db: DB, key: 'he:small' });
    assert.ok(found);
    assert.equal(found.panel.title, 'he:small');
    assert.deepEqual(found.target(), { connection: CONN, db: DB, key: Buffer.from('he:small') });
    assert.equal(editors.find({ connection: CONN, key: Buffer.from('he:small') })?.panel, found.panel, 'any database');
    assert.equal(editors.find({ connection: CONN, db: DB + 1, key: 'he:small' }), undefined);
    assert.equal(editors.find({ connection: CONN, db: DB, key: 'he:users' }), undefined);
    assert.deepEqual(editors.all().map((e) => e.panel), [found.panel]);
  });

  it('answers a request whatever its id (no id is set apart), through the handler the webview uses', async () => {
    const h = await open('he:small');
    for (const id of [1, 7, 999_999_999, 1_000_000_000, 2 ** 40]) {
      const reply = await h.send({ kind: 'request', id, method: 'lookup', params: { field: { text: 'field:1', utf8: true } } });
      assert.ok(reply && reply.ok, `request ${id}`);
      assert.equal(reply.id, id);
      assert.deepEqual((reply.result as { found: boolean; row?: { field: string } }).row?.field, 'field:1');
    }
    assert.equal(await h.send({ kind: 'drawn' }), undefined, 'no reply to a message that asks for none');
  });

  it('shows the first page of a 200,000-field hash while the rest loads, with HSCAN only', async () => {
    const before = await counts(r);
    const h = await open('he:big');
    const first = h.status();
    assert.equal(first.load, 'loading');
    assert.ok(first.loaded > 0 && first.loaded < 200_000, `loaded ${first.loaded} at first page`);
    assert.equal(first.total, 200_000);
    const page = await h.request('rows', { version: first.view.version, start: 0, count: 50 });
    assert.equal(page?.rows.length, 50);
    await h.loaded();
    assert.equal(h.status().loaded, 200_000);
    assert.equal(h.status().load, 'done');
    const after = await counts(r);
    assert.ok(delta(before, after, 'hscan') >= 100, `hscan calls: ${delta(before, after, 'hscan')}`);
    for (const cmd of ['hgetall', 'hkeys', 'hvals', 'keys']) assert.equal(delta(before, after, cmd), 0, cmd);
    // the last rows of the view are there too
    const st = h.status();
    const tail = await h.request('rows', { version: st.view.version, start: st.view.length - 10, count: 50 });
    assert.equal(tail?.rows.length, 10);
  });

  it('reads the rest of a big hash only once the webview has drawn the first page', async () => {
    // every HSCAN the server runs on the hash, with the server's time (the same clock as Date.now() here)
    const mon = await r.monitor();
    const scans: number[] = [];
    mon.on('monitor', (time: string, args: string[]) => {
      if (args[0]?.toLowerCase() === 'hscan' && args[1] === 'he:big') scans.push(Number(time) * 1000);
    });
    // A loaded machine may take the webview longer than the load's fallback wait to draw: that wait would then
    // start the rest of the load, and this test could not tell. Lengthened here; the product keeps its bound.
    const editors = (await hooks()).editors;
    editors.setFirstScreenWait(60_000);
    try {
      const h = await open('he:big');
      const drawnAt = await h.drawn();
      await h.loaded();
      await new Promise((res) => setTimeout(res, 300));
      assert.equal(h.status().loaded, 200_000);
      assert.equal(scans.filter((t) => t < drawnAt).length, 1, `HSCAN calls before the first screen was drawn: ${scans.filter((t) => t < drawnAt).length}`);
      assert.ok(scans.length >= 100, `HSCAN calls in all: ${scans.length}`);
    } finally {
      editors.setFirstScreenWait(undefined);
      mon.disconnect();
    }
  });

  it('reads the key header after the first page: a refresh finds a key now of another type, or gone', async () => {
    await seedHash(r, 'he:morph', 5);
    const h = await open('he:morph');
    await h.loaded();
    assert.equal(h.header()?.fieldCount, 5);
    await r.del('he:morph');
    await r.set('he:morph', 'now a string');
    const typed = await h.request('load', { action: 'refresh' });
    assert.equal(typed.load, 'error');
    assert.match(typed.message ?? '', /"he:morph" is a string, not a hash/);
    await r.del('he:morph');
    const gone = await h.request('load', { action: 'refresh' });
    assert.equal(gone.load, 'done');
    assert.equal(gone.loaded, 0);
    assert.equal(gone.total, 0);
    assert.equal(h.header()?.exists, false);
    await r.hset('he:morph', 'back', '1');
    const back = await h.request('load', { action: 'refresh' });
    assert.equal(back.load, 'done');
    assert.equal(back.total, 1);
    assert.equal(h.header()?.exists, true);
    assert.equal((await allRows(h)).map((x) => x.field).join(), 'back');
  });

  it('stops and resumes loading', async () => {
    const h = await open('he:big');
    const stopped = await h.request('load', { action: 'stop' });
    assert.equal(stopped.load, 'stopped');
    assert.ok(stopped.loaded < 200_000);
    const n = stopped.loaded;
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(h.status().loaded, n, 'nothing loads after Stop');
    await h.request('load', { action: 'resume' });
    await h.loaded();
    assert.equal(h.status().loaded, 200_000);
  });

  it('answers rows for the current view version only', async () => {
    const h = await open('he:small');
    await h.loaded();
    const v = h.status().view.version;
    await h.request('query', { match: '', filter: '', sort: { by: 'field', descending: false } });
    assert.notEqual(h.status().view.version, v);
    assert.equal(await h.request('rows', { version: v, start: 0, count: 10 }), null);
  });

  it('a field pattern restarts loading with HSCAN MATCH', async () => {
    const h = await open('he:users');
    await h.loaded();
    const gen = h.status().gen;
    const before = await counts(r);
    await h.request('query', { match: 'user:1*', filter: '', sort: null });
    await h.loaded();
    const st = h.status();
    assert.equal(st.match, 'user:1*');
    assert.ok(st.gen > gen);
    assert.deepEqual((await allRows(h)).map((x) => x.field).sort(), ['user:1', 'user:10', 'user:11']);
    assert.ok(delta(before, await counts(r), 'hscan') >= 1);
  });

  it('filters loaded names and values by substring and sorts by field or value', async () => {
    const h = await open('he:users');
    await h.loaded();
    await h.request('query', { match: '', filter: 'XY', sort: null });
    assert.deepEqual((await allRows(h)).map((x) => x.field), ['user:11']);
    await h.request('query', { match: '', filter: 'user', sort: { by: 'field', descending: false } });
    assert.deepEqual((await allRows(h)).map((x) => x.field), ['user:1', 'user:2', 'user:10', 'user:11'], 'numbers in names sort by value (sortOrder natural)');
    await h.request('query', { match: '', filter: '', sort: { by: 'value', descending: true } });
    assert.deepEqual((await allRows(h)).map((x) => x.value), ['xyz', 'd', 'c', 'b', 'a']);
    assert.equal(h.status().view.length, 5);
  });

  it('looks up one exact field with HGET on a big hash, even before it is loaded', async () => {
    const h = await open('he:big');
    await h.request('load', { action: 'stop' });
    const before = await counts(r);
    const found = await h.request('lookup', { field: { text: 'field:199999', utf8: true } });
    assert.ok(found.found);
    assert.equal(found.row.value, 'value-199999');
    const page = await h.request('rows', { version: h.status().view.version, start: found.position, count: 1 });
    assert.equal(page?.rows[0].field, 'field:199999');
    const missing = await h.request('lookup', { field: { text: 'no such field', utf8: true } });
    assert.equal(missing.found, false);
    const after = await counts(r);
    assert.equal(delta(before, after, 'hget'), 2);
    assert.equal(delta(before, after, 'hscan'), 0);
  });

  it('holds only a 64 KB prefix of a 10 MB value and fetches the whole value on demand', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024, 0x61);
    big.write('START', 0);
    await r.hset('he:bigvalue', 'big', big, 'small', 'x');
    const h = await open('he:bigvalue');
    await h.loaded();
    const row = await rowNamed(h, 'big');
    assert.equal(row.truncated, true);
    assert.equal(row.length, 10 * 1024 * 1024);
    assert.ok(row.value.startsWith('START'));
    assert.ok(row.value.length <= 501);
    const gen = h.status().gen;
    const partial = await h.request('detail', { gen, id: row.id, full: false });
    assert.equal(partial.truncated, true);
    assert.equal(partial.value.text.length, 64 * 1024);
    // editing needs the whole value first
    await assert.rejects(h.request('edit', { gen, id: row.id, value: { text: 'short', utf8: true } }), /Show all/);
    const full = await h.request('detail', { gen, id: row.id, full: true });
    assert.equal(full.value.text.length, 10 * 1024 * 1024);
    assert.equal(full.truncated, false);
    const edited = full.value.text.slice(0, -3) + 'END';
    assert.deepEqual(await h.request('edit', { gen, id: row.id, value: { text: edited, utf8: true } }), { status: 'ok' });
    const stored = await r.hgetBuffer('he:bigvalue', 'big');
    assert.equal(stored?.length, 10 * 1024 * 1024);
    assert.equal(stored?.subarray(-3).toString(), 'END');
    assert.equal(stored?.subarray(0, 5).toString(), 'START');
  });

  it('sends a field named with HTML as plain text, unchanged', async () => {
    const name = '<img src=x onerror=alert(1)>';
    await r.hset('he:html', name, '<script>alert(2)</script>');
    const h = await open('he:html');
    await h.loaded();
    const [row] = await allRows(h);
    assert.equal(row.field, name);
    assert.equal(row.value, '<script>alert(2)</script>');
    assert.equal(row.fieldBinary, false);
  });

  it('refuses malformed messages before touching Redis, saying why', async () => {
    const h = await open('he:small');
    await h.loaded();
    const before = await counts(r);
    const bad: unknown[] = [
      { kind: 'request', id: 1_000_000_001, method: 'dropTable', params: {} },
      { kind: 'request', id: 1_000_000_002, method: 'lookup', params: { field: 'not a display value' } },
      { kind: 'request', id: 1_000_000_003, method: 'delete', params: { gen: 1, ids: [-1] } },
      { kind: 'request', id: 1_000_000_004, method: 'edit', params: { gen: 1, id: 0, value: { text: 'x', utf8: true }, extra: 1 } },
      { kind: 'request', id: 1_000_000_005, method: 'rows', params: { version: 0, start: 0, count: 1e9 } },
      { kind: 'request', id: 1_000_000_006, method: 'setTtl', params: { ttl: 1.5 } },
    ];
    for (const msg of bad) {
      const reply = await h.send(msg);
      assert.ok(reply && reply.ok === false, `accepted ${JSON.stringify(msg)}`);
      assert.match(reply.error, /^Invalid request/);
    }
    assert.equal(await h.send({ kind: 'nonsense' }), undefined);
    const after = await counts(r);
    for (const cmd of ['hget', 'hset', 'hdel', 'eval', 'expire', 'persist']) assert.equal(delta(before, after, cmd), 0, cmd);
    // a good raw message works through the same path
    const good = await h.send({ kind: 'request', id: 1_000_000_010, method: 'lookup', params: { field: { text: 'field:1', utf8: true } } });
    assert.ok(good?.ok);
  });

  it('restores an editor from its saved state through the serializer path and fetches again', async () => {
    const h = await open('he:small');
    const panel = vscode.window.createWebviewPanel('redisHashExplorer.hashEditor', 'restored', vscode.ViewColumn.Active, { enableScripts: true });
    // the same hash is open: the restored panel is closed and the open editor shown
    const same = await h.restore(panel, { connection: CONN, db: DB, key: Buffer.from('he:small').toString('base64') });
    assert.equal(same?.panel, h.panel);
    await closeEditors();
    const panel2 = vscode.window.createWebviewPanel('redisHashExplorer.hashEditor', 'restored', vscode.ViewColumn.Active, { enableScripts: true });
    const restored = await h.restore(panel2, { connection: CONN, db: DB, key: Buffer.from('he:users').toString('base64') });
    assert.ok(restored);
    await restored.loaded();
    assert.equal(restored.panel.title, 'he:users');
    assert.equal(restored.status().loaded, 5);
    assert.equal(restored.header()?.keyBase64, Buffer.from('he:users').toString('base64'));
    assert.ok(panel2.webview.html.includes("default-src 'none'"));
    assert.ok(restored.openEditors().some((e) => e.panel === panel2));
    // a state that is not one closes the panel instead of guessing
    let disposed = false;
    const panel3 = vscode.window.createWebviewPanel('redisHashExplorer.hashEditor', 'bad', vscode.ViewColumn.Active, {});
    panel3.onDidDispose(() => (disposed = true));
    assert.equal(await restored.restore(panel3, { connection: 42, key: '<' }), undefined);
    await waitFor('bad panel disposed', () => disposed);
  });

  it('serves a page with a strict CSP, a nonce on its script and tight resource roots', async () => {
    const h = await open('he:small');
    const html = h.panel.webview.html;
    const csp = /Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    // the script and the stylesheets are in the page (no round trip each before it runs), by nonce
    assert.match(csp, /^default-src 'none'; script-src 'nonce-([A-Za-z0-9+/=]+)'; style-src 'nonce-\1'; font-src [^;]+$/);
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(html.includes(`<script nonce="${nonce}">`));
    assert.ok(html.includes(`<style nonce="${nonce}">`));
    assert.equal(html.match(/<script\b/g)?.length, 1);
    assert.ok(!/style="/.test(html), 'no inline style attributes');
    const roots = (h.panel.webview.options.localResourceRoots ?? []).map((u) => u.path.split('/').slice(-1)[0]).sort();
    assert.deepEqual(roots, ['dist', 'media']);
    assert.equal(h.panel.webview.options.enableScripts, true);
  });

  it('comes with its first screen in the page (header, status, rows), hostile text read back as it was', async () => {
    const name = '<img src=x onerror=alert(1)> "q" &amp;';
    await r.hset('he:first', name, '</script><script>alert(2)</script>', 'plain', 'v');
    const h = await open('he:first');
    const html = h.panel.webview.html;
    const raw = /<body [^>]*data-first-screen="([^"]*)"/.exec(html)?.[1];
    assert.ok(raw, 'the page holds the first screen');
    // an attribute value that cannot end early or open a tag, read back as a browser does
    assert.ok(!raw.includes('<'));
    const text = raw.replace(/&(quot|lt|gt|amp|#(\d+));/g, (_m, e: string, n?: string) => (n ? String.fromCharCode(Number(n)) : { quot: '"', lt: '<', gt: '>', amp: '&' }[e] ?? ''));
    const first = JSON.parse(text) as { type: string; header: { keyBase64: string; fieldCount: number }; rows: { rows: { field: string; value: string }[] } };
    assert.equal(first.type, 'init');
    assert.equal(first.header.keyBase64, Buffer.from('he:first').toString('base64'));
    assert.equal(first.header.fieldCount, 2);
    assert.equal(first.rows.rows.length, 2);
    const byName = new Map(first.rows.rows.map((x) => [x.field, x.value]));
    assert.equal(byName.get(name), '</script><script>alert(2)</script>');
    assert.equal(byName.get('plain'), 'v');
    assert.equal(html.match(/<script\b/g)?.length, 1);
  });

  it('rejects a scripted open of a missing key or a key of another type', async () => {
    await r.set('he:string', 'x');
    assert.match(await rejectionOf(OPEN, { connection: CONN, db: DB, key: 'he:nope' }), /does not exist/);
    assert.match(await rejectionOf(OPEN, { connection: CONN, db: DB, key: 'he:string' }), /not a hash/);
    assert.match(await rejectionOf(OPEN, { connection: CONN, db: DB }), /needs "key"/);
  });
});
