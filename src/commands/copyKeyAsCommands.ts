import * as vscode from 'vscode';
import { TextSink, exportHash } from '../core/exporting';
import { fieldCount } from '../core/hashOps';
import { nameForMessage } from '../core/codec';
import type { CommandSpec } from './command';
import { client, keyTarget } from './resolve';
import { count } from './transferSupport';

const ID = 'redisHashExplorer.copyKeyAsCommands';

/** Above this many fields a person is asked first: the clipboard is meant for small keys. */
const WARN_FIELDS = 10_000;
/** The clipboard never gets more than this. */
const MAX_BYTES = 64 * 1024 * 1024;

/**
 * Copies a hash as Redis commands (HSET, HEXPIRE for field TTLs, EXPIRE for the key), quoted as
 * redis-cli quotes, so pasting them into redis-cli recreates it byte for byte. Scripted: `{ connection, db?, key }`.
 */
export const copyKeyAsCommands: CommandSpec = {
  id: ID,
  async run(services, arg) {
    const t = await keyTarget(services, arg, ID, 'Copy Key as Commands', true);
    const conn = await client(services, t);
    const fields = await fieldCount(conn, t.key);
    if (!t.scripted && fields > WARN_FIELDS) {
      const go = await services.prompts.ask(`"${nameForMessage(t.key)}" has ${count(fields, 'field')}. Copy them all to the clipboard as commands?`, 'A file export (Export Hash) suits a big hash better.', 'Copy');
      if (go !== 'Copy') return;
    }
    const sink = new TextSink(MAX_BYTES);
    const r = await exportHash(conn, t.key, 'redis', sink);
    await vscode.env.clipboard.writeText(sink.text());
    if (!t.scripted) vscode.window.setStatusBarMessage(`Copied "${nameForMessage(t.key)}" as commands (${count(r.fields, 'field')})`, 3000);
  },
};
