// Values in their decoded form: the hash editor shows gzip'd JSON decoded, edits it as JSON and saves it
// re-encoded (checked byte for byte in Redis); the `redis-hash:` document does the same. Database 7 (hash editor).
import * as assert from 'node:assert/strict';
import { gunzipSync, gzipSync } from 'node:zlib';
import type Redis from 'ioredis';
import * as vscode from 'vscode';
import type { TestHooks } from './sidebarSupport';
import { connectionNode, hooks, path as treePath, setSetting, waitFor } from './sidebarSupport';
import { CONN, open, rowNamed, setup, teardown } from './hashEditorSupport';

const DOC = { user: 'ada', roles: ['admin', 'dev'], visits: 12, profile: { lang: 'en', dark: true } };

/** A gzip'd JSON value too long for an input box, so Edit Field Value opens it as a document. */
function bigDoc(): object {
  return { ...DOC, history: Array.from({ length: 400 }, (_, i) => ({ at: 1700000000 + i * 977, page: `/p/${(i * 7919) % 1009}` })) };
}

describe('Decoded values', function () {
  this.timeout(60_000);
  let r: Redis;

  before(async () => {
    r = await setup();
  });

  after(async () => {
    await setSetting('decoders', undefined);
    await teardown();
  });

  it('the table shows a gzip JSON value decoded; the pane edits it and the write is compare-and-set, re-gzipped byte-exact', async () => {
    const raw = gzipSync(JSON.stringify(DOC));
    await r.hset('dec:table', 'session', raw, 'plain', 'hello');
    const h = await open('dec:table');
    await h.loaded();
    const row = await rowNamed(h, 'session');
    assert.equal(row.decoder, 'gzip+json');
    assert.equal(row.decoded, '{ "user": "ada", "roles": [ "admin", "dev" ], "visits": 12, "profile": { "lang": "en", "dark": true } }');
    assert.equal((await rowNamed(h, 'plain')).decoder, undefined);

    const v = await h.request('decode', { gen: h.status().gen, id: row.id });
    assert.equal(v.decoder, 'gzip+json');
    assert.equal(v.detected, true);
    assert.equal(v.kind, 'json');
    assert.equal(v.editable, true);
    assert.equal(v.text, JSON.stringify(DOC, null, 2));
    assert.equal(v.size, JSON.stringify(DOC).length);
    assert.equal(v.rawLength, raw.length);

    const edited = v.text.replace('"ada"', '"grace"');
    assert.deepEqual(await h.request('saveDecoded', { token: v.token, text: edited }), { status: 'ok' });
    const stored = await r.hgetBuffer('dec:table', 'session');
    assert.ok(stored);
    assert.ok(stored.equals(gzipSync(JSON.stringify({ ...DOC, user: 'grace' }))), 'stored as the same gzip of compact JSON');
    assert.equal(await r.hget('dec:table', 'plain'), 'hello', 'no other field touched');
  });

  it('a change on the server meanwhile is a conflict: nothing is written', async () => {
    await r.hset('dec:conflict', 'f', gzipSync(JSON.stringify(DOC)));
    const h = await open('dec:conflict');
    await h.loaded();
    const row = await rowNamed(h, 'f');
    const v = await h.request('decode', { gen: h.status().gen, id: row.id });
    const theirs = gzipSync(JSON.stringify({ ...DOC, visits: 13 }));
    await r.hset('dec:conflict', 'f', theirs);
    const res = await h.request('saveDecoded', { token: v.token, text: v.text.replace('"ada"', '"mine"') });
    assert.equal(res.status, 'conflict');
    assert.ok((await r.hgetBuffer('dec:conflict', 'f'))?.equals(theirs));
  });

  it('invalid JSON in the edit is refused with our message and writes nothing; a pickle is read-only', async () => {
    const raw = gzipSync(JSON.stringify(DOC));
    // pickle.dumps({'a': 1}, protocol=2)
    await r.hset('dec:bad', 'f', raw, 'p', Buffer.from('80027d71005801000000617101 4b01 732e'.replace(/ /g, ''), 'hex'));
    const h = await open('dec:bad');
    await h.loaded();
    const v = await h.request('decode', { gen: h.status().gen, id: (await rowNamed(h, 'f')).id });
    await assert.rejects(h.request('saveDecoded', { token: v.token, text: '{"user": ' }), (err: Error) => {
      assert.match(err.message, /^The edited text is not valid JSON: .* Nothing was written\.$/);
      return true;
    });
    assert.ok((await r.hgetBuffer('dec:bad', 'f'))?.equals(raw));
    const p = await h.request('decode', { gen: h.status().gen, id: (await rowNamed(h, 'p')).id });
    assert.equal(p.decoder, 'pickle');
    assert.equal(p.editable, false);
    assert.equal(p.token, 0);
    assert.match(p.readOnlyReason ?? '', /read-only/);
    assert.deepEqual(JSON.parse(p.text), { a: 1 });
  });

  it('a decoder chosen per field and one set by a key pattern rule', async () => {
    await r.hset('dec:rule', 'b', Buffer.from(gzipSync('{"x":1}').toString('base64')));
    const h = await open('dec:rule');
    await h.loaded();
    const id = (await rowNamed(h, 'b')).id;
    const auto = await h.request('decode', { gen: h.status().gen, id });
    assert.equal(auto.decoder, 'text');
    const chosen = await h.request('decode', { gen: h.status().gen, id, decoder: 'base64+gzip+json' });
    assert.equal(chosen.decoder, 'base64+gzip+json');
    assert.equal(chosen.detected, false);
    assert.equal((await rowNamed(h, 'b')).decoder, 'base64+gzip+json');
    await h.request('decode', { gen: h.status().gen, id, decoder: 'auto' });
    assert.equal((await rowNamed(h, 'b')).decoder, undefined, 'back to detection: plain text');
    await setSetting('decoders', [{ keys: 'dec:r*', fields: 'b', decoder: 'base64+gzip+json' }]);
    const byRule = await h.request('decode', { gen: h.status().gen, id });
    assert.equal(byRule.decoder, 'base64+gzip+json');
    assert.equal((await rowNamed(h, 'b')).decoder, 'base64+gzip+json', 'the row follows the rule too');
    assert.equal((await rowNamed(h, 'b')).decoded, '{ "x": 1 }');
    const err = await h.send({ kind: 'request', id: 1_000_000_777, method: 'decode', params: { gen: h.status().gen, id, decoder: 'rot13' } });
    assert.ok(err && !err.ok);
    await setSetting('decoders', undefined);
  });

  it('the pane shows the field TTL where the server has field TTLs, and none where it has not', async () => {
    await r.hset('dec:ttl', 'f', gzipSync('{"a":1}'), 'g', 'x');
    const h = await open('dec:ttl');
    await h.loaded();
    const fieldTtls = h.header()?.fieldTtl === true;
    if (fieldTtls) await r.call('HEXPIRE', 'dec:ttl', '5000', 'FIELDS', '1', 'f');
    const v = await h.request('decode', { gen: h.status().gen, id: (await rowNamed(h, 'f')).id });
    if (fieldTtls) {
      assert.ok(v.ttl !== undefined && v.ttl > 4000 && v.ttl <= 5000, `ttl ${v.ttl}`);
      assert.deepEqual(await r.call('HTTL', 'dec:ttl', 'FIELDS', '1', 'g'), [-1], 'the other field untouched');
    } else {
      assert.equal(v.ttl, undefined);
    }
  });

  it('copies a value decoded and as base64', async () => {
    const raw = gzipSync(JSON.stringify(DOC));
    await r.hset('dec:copy', 'f', raw);
    const h = await open('dec:copy');
    await h.loaded();
    const id = (await rowNamed(h, 'f')).id;
    await h.request('copy', { gen: h.status().gen, ids: [id], what: 'decoded' });
    assert.equal(await vscode.env.clipboard.readText(), JSON.stringify(DOC, null, 2));
    await h.request('copy', { gen: h.status().gen, ids: [id], what: 'base64' });
    assert.equal(await vscode.env.clipboard.readText(), raw.toString('base64'));
  });

  it('the value document opens a gzip JSON value decoded and saves it re-encoded', async () => {
    const doc = bigDoc();
    const raw = gzipSync(JSON.stringify(doc));
    assert.ok(raw.length > 1024, 'long enough for a document');
    await r.hset('dec:doc', 'f', raw);
    const th: TestHooks = await hooks();
    await vscode.commands.executeCommand('redisHashExplorer.refresh', { connection: CONN });
    const node = await treePath(th.tree, await connectionNode(th.tree, CONN), 'dec', 'doc', 'f');
    await vscode.commands.executeCommand('redisHashExplorer.editField', node);
    const editor = await waitFor('the value document', () => (vscode.window.activeTextEditor?.document.uri.scheme === 'redis-hash' ? vscode.window.activeTextEditor : undefined));
    assert.match(editor.document.uri.query, /x=gzip%2Bjson/);
    assert.equal(editor.document.languageId, 'json');
    assert.equal(editor.document.getText(), JSON.stringify(doc, null, 2));
    const d = editor.document;
    const next = d.getText().replace('"ada"', '"grace"');
    assert.ok(await editor.edit((e) => e.replace(new vscode.Range(d.positionAt(0), d.positionAt(d.getText().length)), next)));
    assert.equal(await d.save(), true);
    const stored = await r.hgetBuffer('dec:doc', 'f');
    assert.ok(stored);
    assert.ok(stored.equals(gzipSync(JSON.stringify({ ...doc, user: 'grace' }))), 're-gzipped compact JSON, byte-exact');
    assert.equal(JSON.parse(gunzipSync(stored).toString()).user, 'grace');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('Edit Field Value on a short gzip JSON value opens it decoded too (never as escaped bytes in an input box)', async () => {
    // a short value whose gzip bytes hold no newline (one an input box would have taken as escaped bytes)
    let doc: object = DOC;
    for (let i = 0; gzipSync(JSON.stringify(doc)).includes(0x0a); i++) doc = { ...DOC, n: i };
    const raw = gzipSync(JSON.stringify(doc));
    assert.ok(raw.length < 1024);
    await r.hset('dec:short', 'f', raw);
    const th: TestHooks = await hooks();
    await vscode.commands.executeCommand('redisHashExplorer.refresh', { connection: CONN });
    const node = await treePath(th.tree, await connectionNode(th.tree, CONN), 'dec', 'short', 'f');
    let asked = false;
    th.prompts.set({ input: async () => ((asked = true), undefined) });
    try {
      await vscode.commands.executeCommand('redisHashExplorer.editField', node);
    } finally {
      th.prompts.reset();
    }
    assert.equal(asked, false, 'no input box');
    const editor = await waitFor('the value document', () => (vscode.window.activeTextEditor?.document.uri.scheme === 'redis-hash' ? vscode.window.activeTextEditor : undefined));
    assert.match(editor.document.uri.query, /x=gzip%2Bjson/);
    assert.equal(editor.document.getText(), JSON.stringify(doc, null, 2));
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
