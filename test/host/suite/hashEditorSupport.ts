// Helpers for the hash editor's extension-host tests: open an editor through the real command and drive it
// through the extension's test hooks (the same message handler the webview uses), against the test Redis.
import * as assert from 'node:assert/strict';
import type Redis from 'ioredis';
import type { HashEditorTestHooks } from '../../../src/testHooks';
import type { RowDto } from '../../../src/shared/protocol';
import { commandCounts, hooks, profile, redis, setConnections } from './sidebarSupport';

export const CONN = 'he-main';
export const CONN_RO = 'he-readonly';
export const DB = 7;
export const OPEN = 'redisHashExplorer.openHashEditor';

export async function setup(): Promise<Redis> {
  await hooks();
  const r = redis(DB);
  await r.flushdb();
  await setConnections('he-', [profile(CONN, DB), profile(CONN_RO, DB, { readOnly: true })]);
  return r;
}

export async function teardown(): Promise<void> {
  await closeEditors();
  await setConnections('he-', []);
}

/** Opens a hash the scripted way; resolves when the first page is in. */
export async function open(key: string, connection = CONN): Promise<HashEditorTestHooks> {
  const h = await (await hooks()).editors.open({ connection, db: DB, key });
  assert.ok(h && typeof h.request === 'function', 'Open Hash Editor opened no editor');
  return h;
}

/** Closes every hash editor (so no background loading runs into the next test's command counts). */
export async function closeEditors(): Promise<void> {
  const editors = (await hooks()).editors;
  for (const e of editors.all()) e.panel.dispose();
  assert.equal(editors.all().length, 0, 'hash editors still open');
}

/** All rows of the current view, in order (asks in blocks like the webview does). */
export async function allRows(h: HashEditorTestHooks): Promise<RowDto[]> {
  const st = h.status();
  const out: RowDto[] = [];
  for (let start = 0; start < st.view.length; start += 1000) {
    const r = await h.request('rows', { version: st.view.version, start, count: 1000 });
    assert.ok(r, 'rows request answered null (stale version)');
    out.push(...r.rows);
  }
  return out;
}

/** The row named `field` in the current view. */
export async function rowNamed(h: HashEditorTestHooks, field: string): Promise<RowDto> {
  const row = (await allRows(h)).find((r) => r.field === field);
  assert.ok(row, `no row "${field}"`);
  return row;
}

export async function counts(r: Redis): Promise<Record<string, number>> {
  return commandCounts(r);
}

/** Calls of `cmd` between two commandstats snapshots. */
export function delta(before: Record<string, number>, after: Record<string, number>, cmd: string): number {
  return (after[cmd] ?? 0) - (before[cmd] ?? 0);
}

/** Seeds `n` fields `prefix<i>` = `value-<i>` quickly (HSET of 10,000 pairs per call). */
export async function seedHash(r: Redis, key: string, n: number, prefix = 'field:'): Promise<void> {
  for (let i = 0; i < n; i += 10_000) {
    const args: string[] = [];
    for (let j = i; j < Math.min(n, i + 10_000); j++) args.push(`${prefix}${j}`, `value-${j}`);
    await r.hset(key, ...args);
  }
}
