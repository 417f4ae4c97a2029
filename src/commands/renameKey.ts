import { fromDisplay, nameForMessage, toDisplay } from '../core/codec';
import { renameKey as renameKeyOp } from '../core/keyOps';
import { keyRenamed, settle } from '../core/settle';
import type { CommandSpec } from './command';
import { orCancel } from './command';
import { client, keyTarget } from './resolve';
import { required } from './target';

const ID = 'redisHashExplorer.renameKey';

/** Renames a key with RENAMENX: never overwrites another key. */
export const renameKey: CommandSpec = {
  id: ID,
  async run(services, arg) {
    const t = await keyTarget(services, arg, ID, 'Rename Key', services.tree.settings().onlyHashes);
    const conn = await client(services, t);
    conn.assertWritable();
    let newKey: Buffer;
    if (t.plain) {
      newKey = Buffer.from(required(t.plain, 'newName', ID), 'utf8');
    } else {
      const display = toDisplay(t.key);
      // Select the last segment: renaming usually keeps the namespace.
      const sep = services.tree.connectionNode(t.connection)?.session.separator ?? ':';
      const start = sep ? display.text.lastIndexOf(sep) + sep.length : 0;
      const text = orCancel(
        await services.prompts.input({
          title: `Rename ${nameForMessage(t.key)}`,
          prompt: 'New key name (an existing key is never overwritten)',
          value: display.text,
          valueSelection: [Math.max(0, start), display.text.length],
          validateInput: (v) => {
            if (!v) return 'A key name is needed.';
            try {
              fromDisplay({ text: v, utf8: display.utf8 });
              return undefined;
            } catch (err) {
              return (err as Error).message;
            }
          },
        }),
      );
      newKey = fromDisplay({ text, utf8: display.utf8 });
    }
    if (newKey.equals(t.key)) return;
    await renameKeyOp(conn, t.key, newKey).catch((err: unknown) => settle(conn, err, 'rename', keyRenamed(conn, t.key, newKey)));
    await services.changes.fire({ kind: 'keyRenamed', connection: t.connection, db: t.db, key: t.key, newKey });
  },
};
