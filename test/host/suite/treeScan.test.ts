// The tree's key scan in the real extension host against the test Redis (database 10, connection
// "scan-…"): one hash among 300,000 strings shows while the scan still runs, with the scan's progress row;
// the row stops it (nothing more is sent); "Load more…" continues from where it stopped.
import * as assert from 'node:assert/strict';
import type Redis from 'ioredis';
import * as vscode from 'vscode';
import type { ConnectionNode, TreeNode } from '../../../src/tree/nodes';
import type { TestHooks } from './sidebarSupport';
import { closeClients, commandCounts, connectionNode, hooks, itemOf, kids, labelOf, profile, redis, seedStrings, setConnections, waitFor } from './sidebarSupport';

const DB = 10;
const CONN = 'scan-sparse';
const STRINGS = 300_000;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function scans(r: Redis): Promise<number> {
  return (await commandCounts(r)).scan ?? 0;
}

describe('Redis view: the key scan shows what it finds as it finds it', function () {
  this.timeout(120_000);
  let h: TestHooks;
  let r: Redis;
  let hash = '';
  /** SCANs of one uninterrupted tree scan of the database (the first test measures it) */
  let fullScans = 0;

  before(async () => {
    h = await hooks();
    r = redis(DB);
    await r.flushdb();
    await seedStrings(r, STRINGS);
    await sleep(300);
    // The one hash: a key the scan meets early (its second page of COUNT 500), whatever the server's hash seed.
    let cursor = '0';
    for (let page = 0; page < 2; page++) [cursor] = await r.scan(cursor, 'COUNT', 500);
    const [, keys] = await r.scan(cursor, 'COUNT', 500);
    hash = keys[0];
    await r.del(hash);
    await r.hset(hash, 'f', 'v');
    await setConnections('scan-', [profile(CONN, DB)]);
  });

  after(async () => {
    await setConnections('scan-', []);
    await r.flushdb();
    closeClients();
  });

  it('shows the hash with the scan still running, its progress row stops it, and Load more continues from there', async () => {
    const conn = (await connectionNode(h.tree, CONN)) as ConnectionNode;
    const scansBefore = await scans(r);
    // Expanding the connection starts the scan; the connection refreshes as soon as the hash is in, and the
    // test asks for its children then, as VS Code does.
    let sub: vscode.Disposable | undefined;
    const shown = new Promise<TreeNode[]>((resolve, reject) => {
      sub = h.tree.onDidChangeTreeData((e) => {
        if (e !== conn || conn.session.model.loadedCount !== 1 || !conn.session.scan?.running) return;
        sub?.dispose();
        h.tree.getChildren(conn).then(resolve, reject);
      });
    });
    const first = await h.tree.getChildren(conn);
    assert.deepEqual(first.map((c) => c.kind === 'message' && c.name), ['connecting']);
    const children = await shown;
    sub?.dispose();
    assert.deepEqual(children.map((c) => c.kind), ['folder', 'scan'], `children: ${children.map((c) => labelOf(h.tree, c)).join(', ')}`);
    const folder = children[0];
    assert.equal(labelOf(h.tree, folder), 's');
    assert.equal(itemOf(h.tree, folder).description, '1+ keys', 'the count is not final while the scan runs');
    const [key] = await h.tree.getChildren(folder);
    assert.equal(key.kind === 'key' && key.key.toString(), hash);
    const row = itemOf(h.tree, children[1]);
    assert.equal(row.contextValue, 'scanning');
    assert.match(String(row.description), /^scanned [\d,]+ of about 300,000 keys$/);
    assert.equal(row.command?.command, 'redisHashExplorer.stopScan');

    // The row's own command (Enter or a click on it) stops the scan after the SCAN in flight.
    assert.equal(await vscode.commands.executeCommand(row.command.command, ...(row.command.arguments ?? [])), true);
    assert.equal(conn.session.scan?.running, false);
    assert.equal(conn.session.scan?.done, false);
    const atStop = await scans(r);
    await sleep(300);
    assert.equal(await scans(r), atStop, 'no SCAN after the stop');
    const stopped = await kids(h.tree, conn);
    assert.deepEqual(stopped.map((c) => c.kind), ['folder', 'loadMore']);
    const more = itemOf(h.tree, stopped[1]);
    assert.equal(more.label, 'Load more…');
    const scannedAtStop = conn.session.scan?.progress().scanned ?? 0;
    assert.ok(scannedAtStop > 0 && scannedAtStop < STRINGS, `stopped partway (${scannedAtStop})`);
    assert.match(String(more.description), /^1 loaded · stopped, scanned [\d,]+ of about 300,000 keys$/);
    assert.equal(await vscode.commands.executeCommand('redisHashExplorer.stopScan', { connection: CONN }), false, 'nothing to stop');

    // Load more: the scan goes on from its cursor to the end (one hash is less than a page).
    await vscode.commands.executeCommand('redisHashExplorer.loadMore', { connection: CONN });
    assert.equal(conn.session.scan?.done, true);
    const done = await kids(h.tree, conn);
    assert.deepEqual(done.map((c) => c.kind), ['folder'], 'no "Load more…" at the end');
    assert.equal(itemOf(h.tree, done[0]).description, '1 key', 'final');
    assert.equal(conn.session.model.loadedCount, 1, 'the hash once');
    const resumedTotal = (await scans(r)) - scansBefore;

    // The same scan from the start, uninterrupted, sends exactly as many SCANs: none repeated, none skipped.
    const fresh = await scans(r);
    await vscode.commands.executeCommand('redisHashExplorer.refresh', { connection: CONN });
    await kids(h.tree, conn);
    await waitFor('the fresh scan to end', () => conn.session.scan?.done);
    assert.equal((await scans(r)) - fresh, resumedTotal);
    fullScans = resumedTotal;
  });

  it('the palette\'s key picker lists the hash as found, busy and with a Stop row, and stops scanning when it closes', async () => {
    assert.ok(fullScans > 10, `a whole scan takes many SCANs (${fullScans})`);
    // The real picker of a palette command; the test sees its QuickPick through the window API it is made with.
    const real = vscode.window.createQuickPick;
    let qp: vscode.QuickPick<vscode.QuickPickItem> | undefined;
    (vscode.window as { createQuickPick: typeof real }).createQuickPick = <T extends vscode.QuickPickItem>() => {
      const made = real<T>();
      qp = made as unknown as vscode.QuickPick<vscode.QuickPickItem>;
      return made;
    };
    h.prompts.set({ pick: async (items) => items.find((i) => i.label === CONN) });
    try {
      const before = await scans(r);
      const command = vscode.commands.executeCommand('redisHashExplorer.openHashEditor');
      // looked at every few ms: the scan goes on for a while after it met the hash, not for long
      let seen: { busy: boolean; labels: string[] } | undefined;
      for (const end = Date.now() + 30_000; !seen && Date.now() < end; await sleep(2)) {
        if (qp?.items.some((i) => i.label === hash)) seen = { busy: qp.busy, labels: qp.items.map((i) => i.label) };
      }
      qp?.hide();
      assert.ok(seen, 'the hash was listed');
      await command;
      assert.equal(seen.busy, true, 'listed while the scan ran');
      assert.ok(seen.labels.includes('$(debug-stop) Stop scanning'), `rows: ${seen.labels.join(', ')}`);
      await sleep(200);
      const atClose = await scans(r);
      await sleep(300);
      assert.equal(await scans(r), atClose, 'no SCAN after the picker closed');
      assert.ok(atClose - before < fullScans, `stopped partway: ${atClose - before} of ${fullScans} SCANs`);
    } finally {
      (vscode.window as { createQuickPick: typeof real }).createQuickPick = real;
      h.prompts.reset();
    }
  });
});
