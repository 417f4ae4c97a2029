// Live updates in the real extension host: an external writer (a plain client, like an application) changes,
// adds, deletes and expires fields while a hash editor, a value document and the tree show the hash.
// Database 2, connection "live-main". Every wait is for what the view shows; the test's timeout bounds it.
import * as assert from 'node:assert/strict';
import type Redis from 'ioredis';
import * as vscode from 'vscode';
import type { TreeNode } from '../../../src/tree/nodes';
import type { TestHooks } from './sidebarSupport';
import { connectionNode, hooks, kids, labelOf, path as treePath, profile, redis, setConnections, waitFor } from './sidebarSupport';

const DB = 2;
const CONN = 'live-main';
const KEY = 'live:h';

describe('Live updates', function () {
  this.timeout(60_000);
  let r: Redis;
  let t: TestHooks;
  before(async () => {
    t = await hooks();
    r = redis(DB);
    await setConnections('live-', [profile(CONN, DB)]);
  });
  beforeEach(async () => {
    await r.flushdb();
    await r.hset(KEY, 'a', '1', 'b', '2', 'c', '3');
  });
  afterEach(async () => {
    while (vscode.window.activeTextEditor) await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
  after(async () => {
    await setConnections('live-', []);
  });

  it('a value document without edits reloads; one with unsaved edits keeps them and its save is refused', async () => {
    const uri = await openValueDocument('a');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.getText(), '1');
    await r.hset(KEY, 'a', 'server v2');
    await waitFor('document reloaded', () => doc.getText() === 'server v2');

    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), 'mine: '));
    assert.ok(doc.isDirty);
    const version = (await vscode.workspace.fs.stat(uri)).mtime;
    await r.hset(KEY, 'a', 'server v3');
    // the change reaches the file system (a new version of the file) and the dirty document keeps the user's text
    await waitFor('a new version on "disk"', async () => (await vscode.workspace.fs.stat(uri)).mtime > version);
    assert.equal(doc.getText(), 'mine: server v2');
    assert.ok(doc.isDirty);
    await doc.save().then(
      () => undefined,
      () => undefined,
    );
    assert.equal(await r.hget(KEY, 'a'), 'server v3', 'the save did not overwrite the server value');
  });

  it('an expanded hash key in the tree follows: changed, added and deleted fields', async () => {
    await vscode.commands.executeCommand('redisHashExplorer.refresh', { connection: CONN });
    const conn = await connectionNode(t.tree, CONN);
    const keyNode = await treePath(t.tree, conn, 'live', 'h');
    await t.treeView.reveal(keyNode, { expand: true, focus: false, select: false });
    const labels = async () => (await kids(t.tree, keyNode)).map((n: TreeNode) => `${labelOf(t.tree, n)}=${String(t.tree.getTreeItem(n).description ?? '')}`);
    await waitFor('fields shown', async () => (await labels()).includes('a=1'));
    await r.hset(KEY, 'a', 'tree sees it');
    await waitFor('field a updated', async () => (await labels()).some((l) => l.startsWith('a=tree sees it')));
    await r.hset(KEY, 'n', 'new');
    await waitFor('field n added', async () => (await labels()).some((l) => l.startsWith('n=new')));
    await r.hdel(KEY, 'b');
    await waitFor('field b gone', async () => (await labels()).every((l) => !l.startsWith('b=')));
  });

  async function openValueDocument(field: string): Promise<vscode.Uri> {
    const q = new URLSearchParams({ c: CONN, d: String(DB), k: Buffer.from(KEY).toString('hex'), f: Buffer.from(field).toString('hex'), e: '0' });
    return vscode.Uri.from({ scheme: 'redis-hash', path: `/${CONN}/db${DB}/${KEY}/${field}`, query: q.toString() });
  }
});
