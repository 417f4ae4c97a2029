import * as vscode from 'vscode';
import { RedisExplorerError } from '../core/errors';
import { keyType } from '../core/keyOps';
import { recreateHash } from '../core/recreate';
import type { LiveInfo } from '../shared/live';
import type { EditorHost } from './host';

/** The table's live-update requests: pause/resume here, recreate a key deleted on the server, close. */
export async function liveAction(p: EditorHost, action: 'pause' | 'resume' | 'recreate' | 'close'): Promise<LiveInfo> {
  if (action === 'pause' || action === 'resume') {
    p.live.setPaused(action === 'pause');
    p.postLive([], []);
    return p.live.info();
  }
  if (action === 'close') {
    p.panel.dispose();
    return p.live.info();
  }
  const s = p.session;
  const conn = await s.conn();
  // written again meanwhile (the script checks it again, atomically, before it writes)
  if ((await keyType(conn, s.key)) !== 'none') throw new RedisExplorerError('EXISTS', 'The key exists again on the server (written meanwhile): nothing was written. Reload to see it.');
  const fields: Buffer[] = [];
  const values: Buffer[] = [];
  let partial = 0;
  for (let row = 0; row < s.store.rowCount; row++) {
    if (s.store.isDeleted(row)) continue;
    if (s.store.isTruncated(row)) partial++;
    fields.push(Buffer.from(s.store.fieldAt(row)));
    values.push(Buffer.from(s.store.valueAt(row)));
  }
  // a value held only in part cannot be written back whole
  if (partial) throw new RedisExplorerError('INVALID', `${partial} value${partial === 1 ? ' is' : 's are'} held only in part (over 64 KB), so the key cannot be recreated from the table. Nothing was written.`);
  if (s.load !== 'done' || s.match) throw new RedisExplorerError('INVALID', 'The table did not hold every field of the key (it was not fully loaded), so it cannot be recreated from it. Nothing was written.');
  await recreateHash(conn, s.key, fields, values);
  void vscode.window.setStatusBarMessage(`Recreated the key with ${fields.length.toLocaleString('en-US')} fields.`, 4000);
  p.keyChanged();
  await p.refreshHeader(true);
  return p.live.info();
}
