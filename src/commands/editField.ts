import { fromDisplay, nameForMessage, toDisplay } from '../core/codec';
import { RedisExplorerError } from '../core/errors';
import { compareAndSet, getField } from '../core/hashOps';
import type { CasResult } from '../core/hashOps';
import { fieldSet, settle } from '../core/settle';
import type { CommandSpec } from './command';
import { orCancel } from './command';
import { fireFieldChange, writeIfUnchanged } from './conflict';
import { opensDecoded } from '../documents/fieldFileSystem';
import { decoders } from '../hashEditor/decoding';
import { client, fieldTarget } from './resolve';
import { required } from './target';

const ID = 'redisHashExplorer.editField';
/** Longer or multi-line values open in a text editor instead of an InputBox. */
const INPUT_BOX_MAX_BYTES = 1024;

/**
 * Edits a field's value.
 * - From a field node: compare-and-set against the value the node shows (a conflict offers Overwrite / Reload).
 * - From the palette: connection → key → field, then the same against the value read now.
 * - Scripted `{ connection, key, field, value }`: sets the value only if the field exists
 *   (rejects "no longer exists" otherwise, so a typo never creates a field); no question asked.
 * Long or multi-line values open as a `redis-hash:` document whose save writes back (compare-and-set).
 */
export const editField: CommandSpec = {
  id: ID,
  async run(services, arg) {
    const t = await fieldTarget(services, arg, ID, 'Edit Field Value');
    const conn = await client(services, t);
    conn.assertWritable();
    if (t.plain) {
      const value = Buffer.from(required(t.plain, 'value', ID), 'utf8');
      // Set-if-exists, atomically: compare-and-set against the current value, retried if it moves.
      for (let attempt = 0; attempt < 5; attempt++) {
        const current = await getField(conn, t.key, t.field);
        if (current === null) throw new RedisExplorerError('NOT_FOUND', `Field "${nameForMessage(t.field)}" does not exist in "${nameForMessage(t.key)}".`);
        const r: CasResult = await compareAndSet(conn, t.key, t.field, current, value).catch(async (err: unknown) => {
          await settle(conn, err, 'change', fieldSet(conn, t.key, t.field, current, value));
          return { ok: true };
        });
        if (r.ok) {
          await fireFieldChange(services, t);
          return;
        }
      }
      throw new RedisExplorerError('CONFLICT', `Field "${nameForMessage(t.field)}" keeps changing on the server; nothing was written.`);
    }
    const seen = t.fieldNode?.value ?? (await getField(conn, t.key, t.field));
    if (seen === null) throw new RedisExplorerError('NOT_FOUND', `Field "${nameForMessage(t.field)}" does not exist in "${nameForMessage(t.key)}".`);
    if (seen.length > INPUT_BOX_MAX_BYTES || seen.includes(0x0a) || (await encoded(seen))) {
      await services.fieldDocuments.show(t, seen);
      return;
    }
    const display = toDisplay(seen);
    const text = orCancel(
      await services.prompts.input({
        title: `Edit ${nameForMessage(t.key)} → ${nameForMessage(t.field)}`,
        value: display.text,
        prompt: display.utf8 ? 'New value (Enter saves)' : 'New value; the value is not UTF-8: bytes are written as \\xNN, a backslash as \\\\',
        validateInput: (v) => {
          try {
            fromDisplay({ text: v, utf8: display.utf8 });
            return undefined;
          } catch (err) {
            return (err as Error).message;
          }
        },
      }),
    );
    const value = fromDisplay({ text, utf8: display.utf8 });
    if (value.equals(seen)) return;
    await writeIfUnchanged(services, conn, t, seen, value, t.fieldNode?.expiresAt);
  },
};

/** A compressed or binary-encoded value (gzip, MessagePack, …): edited decoded in a document, never as escaped bytes. */
async function encoded(value: Buffer): Promise<boolean> {
  const d = await (await decoders()).decode(value, 'auto', { noEncoder: true });
  return opensDecoded(d.chain);
}
