// Shared code for the sidebar's extension-host tests (tree.test.ts, commands.test.ts, valueDocuments.test.ts):
// the extension's test hooks, a Redis client to set up and check data, settings and connection setup.
import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import * as vscode from 'vscode';
import type { PromptLayer } from '../../../src/commands/prompts';
import type { TestHooks } from '../../../src/testHooks';
import type { TreeNode } from '../../../src/tree/nodes';
import type { KeyTreeProvider } from '../../../src/tree/provider';
import { LIBRARY_PHRASES } from '../../support/faultyRedis';

export const EXTENSION_ID = 'redis-hash-explorer.redis-hash-explorer';

export type { TestHooks };

export async function hooks(): Promise<TestHooks> {
  const ext = vscode.extensions.getExtension<{ testHooks: TestHooks }>(EXTENSION_ID);
  assert.ok(ext, 'extension not loaded');
  const api = await ext.activate();
  return api.testHooks;
}

export function redisPort(): number {
  const port = Number(process.env.RHE_TEST_REDIS_PORT);
  assert.ok(port > 0, 'RHE_TEST_REDIS_PORT is not set');
  return port;
}

const clients: Redis[] = [];

/** A plain ioredis client on the test Redis, in one database: sets up data and checks results independently. */
export function redis(db: number): Redis {
  const r = new Redis({ host: '127.0.0.1', port: redisPort(), db, maxRetriesPerRequest: 1 });
  clients.push(r);
  return r;
}

export function closeClients(): void {
  for (const c of clients.splice(0)) c.disconnect();
}

/** Fills the client's database with `count` strings `s:0` … (value "v"), 5,000 per MSET. */
export async function seedStrings(r: Redis, count: number): Promise<void> {
  for (let i = 0; i < count; i += 5000) {
    const args: string[] = [];
    for (let j = i; j < Math.min(count, i + 5000); j++) args.push(`s:${j}`, 'v');
    await r.mset(...args);
  }
}

/** Per-command call counts from INFO commandstats, e.g. { hscan: 3 }. */
export async function commandCounts(r: Redis): Promise<Record<string, number>> {
  const text = await r.info('commandstats');
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) counts[m[1]] = Number(m[2]);
  return counts;
}

export interface ProfileSetting {
  name: string;
  host: string;
  port: number;
  db?: number;
  username?: string;
  readOnly?: boolean;
  separator?: string;
}

const SECTION = 'redisHashExplorer';

/** Replaces this test file's connections (by name prefix) in the user settings, leaving others'. */
export async function setConnections(prefix: string, profiles: ProfileSetting[]): Promise<void> {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  const current = cfg.inspect<ProfileSetting[]>('connections')?.globalValue ?? [];
  const others = current.filter((p) => !p.name.startsWith(prefix));
  await cfg.update('connections', [...others, ...profiles], vscode.ConfigurationTarget.Global);
}

export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration(SECTION).update(key, value, vscode.ConfigurationTarget.Global);
}

export function profile(name: string, db: number, extra: Partial<ProfileSetting> = {}): ProfileSetting {
  return { name, host: '127.0.0.1', port: redisPort(), db, ...extra };
}

/** Waits until `fn` returns a truthy value (events are asynchronous); fails with `what` after `ms`. */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, ms = 10_000): Promise<NonNullable<Awaited<T>>> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<Awaited<T>>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function labelOf(tree: KeyTreeProvider, node: TreeNode): string {
  const l = tree.getTreeItem(node).label;
  return typeof l === 'string' ? l : (l?.label ?? '');
}

export function itemOf(tree: KeyTreeProvider, node: TreeNode): vscode.TreeItem {
  return tree.getTreeItem(node) as vscode.TreeItem;
}

export async function connectionNode(tree: KeyTreeProvider, name: string): Promise<TreeNode> {
  return waitFor(`connection ${name} in the tree`, async () => (await tree.getChildren()).find((n) => n.kind === 'connection' && n.name === name));
}

/**
 * A node's children as VS Code would get them, once a connection is open and its scan has paused: until its
 * first keys are in, a connection shows only "Connecting…" and refreshes itself when they are; then the
 * scan's progress row until the scan has its page (or ends).
 */
export async function kids(tree: KeyTreeProvider, node?: TreeNode): Promise<TreeNode[]> {
  return waitFor(`children of ${node ? labelOf(tree, node) : 'the root'}`, async () => {
    const c = await tree.getChildren(node);
    return c.some((n) => (n.kind === 'message' && n.name === 'connecting') || n.kind === 'scan') ? undefined : c;
  });
}

export async function child(tree: KeyTreeProvider, parent: TreeNode, label: string): Promise<TreeNode> {
  const children = await kids(tree, parent);
  const found = children.find((n) => labelOf(tree, n) === label);
  assert.ok(found, `no child "${label}" under ${labelOf(tree, parent)}; children: ${children.map((k) => labelOf(tree, k)).join(', ')}`);
  return found;
}

/** Follows labels down from a node. */
export async function path(tree: KeyTreeProvider, from: TreeNode, ...labels: string[]): Promise<TreeNode> {
  let node = from;
  for (const l of labels) node = await child(tree, node, l);
  return node;
}

/** Every key under a node (walking folders; "Load more…" is not clicked), as full key names. */
export async function keysUnder(tree: KeyTreeProvider, node: TreeNode): Promise<string[]> {
  const out: string[] = [];
  for (const c of await kids(tree, node)) {
    if (c.kind === 'key') out.push(c.key.toString('utf8'));
    else if (c.kind === 'folder') out.push(...(await keysUnder(tree, c)));
  }
  return out;
}

/** Records the nodes the tree asks VS Code to refresh. */
export function recordRefreshes(tree: KeyTreeProvider): { fired: (TreeNode | undefined)[]; dispose(): void } {
  const fired: (TreeNode | undefined)[] = [];
  const sub = tree.onDidChangeTreeData((e) => {
    if (Array.isArray(e)) fired.push(...e);
    else fired.push(e ?? undefined);
  });
  return { fired, dispose: () => sub.dispose() };
}

/** Answers InputBoxes by prompt text (each answer once) and QuickPicks by label, in order; what is not listed is dismissed. */
export function inputsAndPicks(picks: string[], inputs: Array<[RegExp, string]>): Pick<PromptLayer, 'input' | 'pick'> {
  return {
    input: async (o) => {
      const i = inputs.findIndex(([re]) => re.test(o.prompt ?? ''));
      return i < 0 ? undefined : inputs.splice(i, 1)[0][1];
    },
    pick: async <T extends vscode.QuickPickItem>(items: readonly T[]) => {
      const want = picks.shift();
      return items.find((it) => it.label === want);
    },
  };
}

/** Answers prompts for the duration of `fn`, then restores the real ones. */
export async function withPrompts<T>(h: TestHooks, answers: Partial<PromptLayer>, fn: () => Promise<T>): Promise<T> {
  h.prompts.set(answers);
  try {
    return await fn();
  } finally {
    h.prompts.reset();
  }
}

/** Runs a command and returns the message it rejected with (fails if it resolved). */
export async function rejectionOf(id: string, arg: unknown): Promise<string> {
  try {
    await vscode.commands.executeCommand(id, arg);
  } catch (err) {
    const message = (err as Error).message;
    // Every message a script (or a user) reads is ours, never a library's.
    assert.doesNotMatch(message, LIBRARY_PHRASES, `${id} rejected with library text`);
    return message;
  }
  assert.fail(`${id} resolved; a rejection was expected`);
}
