// Long field values open in a real text editor (`redis-hash:` documents); saving writes back with
// compare-and-set. Database 14, connection "doc-main".
import * as assert from 'node:assert/strict';
import type Redis from 'ioredis';
import * as vscode from 'vscode';
import type { TreeNode } from '../../../src/tree/nodes';
import type { TestHooks } from './sidebarSupport';
import { closeClients, connectionNode, hooks, itemOf, path as treePath, profile, redis, setConnections, waitFor, withPrompts } from './sidebarSupport';

const DB = 14;
const CONN = 'doc-main';
const LONG = 'x'.repeat(1500) + ' end';

async function fieldNode(h: TestHooks, key: string, field: string): Promise<TreeNode> {
  await vscode.commands.executeCommand('redisHashExplorer.refresh', { connection: CONN });
  return fieldPath(h, key, field);
}

async function fieldPath(h: TestHooks, key: string, field: string): Promise<TreeNode> {
  const conn = await connectionNode(h.tree, CONN);
  return treePath(h.tree, conn, ...key.split(':'), field);
}

/** Opens the field from its node with editField; returns the editor it opened. */
async function openFromNode(h: TestHooks, key: string, field: string): Promise<vscode.TextEditor> {
  const node = await fieldNode(h, key, field);
  await vscode.commands.executeCommand('redisHashExplorer.editField', node);
  const editor = vscode.window.activeTextEditor;
  assert.ok(editor, 'no editor opened');
  assert.equal(editor.document.uri.scheme, 'redis-hash');
  return editor;
}

async function replaceAll(editor: vscode.TextEditor, text: string): Promise<void> {
  const doc = editor.document;
  const ok = await editor.edit((e) => e.replace(new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text));
  assert.ok(ok, 'edit applied');
}

describe('Long values in text editors', function () {
  this.timeout(60_000);
  let h: TestHooks;
  let r: Redis;

  before(async () => {
    h = await hooks();
    r = redis(DB);
    await r.flushdb();
    await r.hset('doc:h', 'long', LONG, 'lines', 'one\ntwo', 'json', JSON.stringify({ a: 1, list: [1, 2, 3], pad: 'p'.repeat(1100) }));
    // Bytes that are not UTF-8, longer than an input box takes.
    await r.hset('doc:h', Buffer.from('bin'), Buffer.concat([Buffer.from([0xff, 0x00, 0xfe]), Buffer.alloc(1200, 0x41)]));
    await setConnections('doc-', [profile(CONN, DB)]);
  });

  afterEach(async () => {
    while (vscode.window.activeTextEditor) await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  after(async () => {
    await setConnections('doc-', []);
    await r.flushdb();
    closeClients();
  });

  it('opens a long value in an editor; saving writes it and the tree shows it', async () => {
    const editor = await openFromNode(h, 'doc:h', 'long');
    assert.equal(editor.document.getText(), LONG);
    await replaceAll(editor, 'short now');
    assert.equal(await editor.document.save(), true);
    assert.equal(await r.hget('doc:h', 'long'), 'short now');
    const node = await waitFor('tree update', async () => {
      const n = await fieldPath(h, 'doc:h', 'long');
      return itemOf(h.tree, n).description === 'short now' ? n : undefined;
    });
    assert.ok(node);
  });

  it('opens multi-line values in an editor and JSON values as JSON', async () => {
    const lines = await openFromNode(h, 'doc:h', 'lines');
    assert.equal(lines.document.getText(), 'one\ntwo');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    const json = await openFromNode(h, 'doc:h', 'json');
    assert.equal(json.document.languageId, 'json');
  });

  it('saves a conflicting edit only after Overwrite; Reload shows the server value instead', async () => {
    await r.hset('doc:h', 'long', LONG);
    const editor = await openFromNode(h, 'doc:h', 'long');
    await r.hset('doc:h', 'long', 'changed on the server');
    await replaceAll(editor, 'my edit');
    let question = '';
    await withPrompts(h, { ask: async (m: string) => ((question = m), 'Overwrite' as never) }, async () => assert.equal(await editor.document.save(), true));
    assert.match(question, /changed on the server since it was shown/);
    assert.equal(await r.hget('doc:h', 'long'), 'my edit');

    await r.hset('doc:h', 'long', 'server again');
    await replaceAll(editor, 'my second edit');
    await withPrompts(h, { ask: async () => 'Reload' as never }, async () => void (await editor.document.save()));
    assert.equal(await r.hget('doc:h', 'long'), 'server again', 'Reload writes nothing');
    await waitFor('the document to show the server value', () => editor.document.getText() === 'server again' && !editor.document.isDirty);

    await r.hset('doc:h', 'long', 'server third');
    await replaceAll(editor, 'my third edit');
    await withPrompts(h, { ask: async () => undefined }, async () => assert.equal(await editor.document.save(), false, 'dismissed: the save fails'));
    assert.equal(await r.hget('doc:h', 'long'), 'server third');
    assert.equal(editor.document.isDirty, true, 'the edit is kept in the editor');
  });

  it('shows bytes that are not UTF-8 escaped and writes back only what was changed', async () => {
    const editor = await openFromNode(h, 'doc:h', 'bin');
    const text = editor.document.getText();
    assert.equal(text, '\\xff\\x00\\xfe' + 'A'.repeat(1200));
    const doc = editor.document;
    await editor.edit((e) => e.replace(new vscode.Range(doc.positionAt(text.length - 1), doc.positionAt(text.length)), 'Z'));
    assert.equal(await doc.save(), true);
    const stored = await r.hgetBuffer('doc:h', 'bin');
    assert.ok(stored?.equals(Buffer.concat([Buffer.from([0xff, 0x00, 0xfe]), Buffer.alloc(1199, 0x41), Buffer.from('Z')])));
  });
});
