import { fromDisplay, nameForMessage, toDisplay } from '../core/codec';
import { renameField as renameFieldOp } from '../core/hashOps';
import { fieldRenamed, settle } from '../core/settle';
import type { CommandSpec } from './command';
import { orCancel } from './command';
import { fireFieldChange } from './conflict';
import { client, fieldTarget } from './resolve';
import { required } from './target';

const ID = 'redisHashExplorer.renameField';

/** Renames a field atomically (Lua): refuses when the new name exists or the field is gone. */
export const renameField: CommandSpec = {
  id: ID,
  async run(services, arg) {
    const t = await fieldTarget(services, arg, ID, 'Rename Field');
    const conn = await client(services, t);
    conn.assertWritable();
    let newField: Buffer;
    if (t.plain) {
      newField = Buffer.from(required(t.plain, 'newName', ID), 'utf8');
    } else {
      const display = toDisplay(t.field);
      const text = orCancel(
        await services.prompts.input({
          title: `Rename field ${nameForMessage(t.field)} in ${nameForMessage(t.key)}`,
          value: display.text,
          prompt: 'New field name',
          validateInput: (v) => {
            if (!v) return 'A field name is needed.';
            try {
              fromDisplay({ text: v, utf8: display.utf8 });
              return undefined;
            } catch (err) {
              return (err as Error).message;
            }
          },
        }),
      );
      newField = fromDisplay({ text, utf8: display.utf8 });
    }
    if (newField.equals(t.field)) return;
    await renameFieldOp(conn, t.key, t.field, newField).catch((err: unknown) => settle(conn, err, 'rename', fieldRenamed(conn, t.key, t.field, newField)));
    await fireFieldChange(services, t, [t.field, newField]);
  },
};
