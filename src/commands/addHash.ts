import { createHash } from '../core/hashOps';
import type { CommandSpec } from './command';
import { orCancel } from './command';
import { asNode, client, connectionTarget } from './resolve';
import { required } from './target';

const ID = 'redisHashExplorer.addHash';

/**
 * Creates a hash with its first field (Redis has no empty hash). From a folder the key name starts
 * with the folder's prefix. Refuses an existing key. Scripted: `{ connection, key, field, value? }`.
 */
export const addHash: CommandSpec = {
  id: ID,
  async run(services, arg) {
    const t = await connectionTarget(services, arg, 'Add Hash');
    const conn = await client(services, t);
    conn.assertWritable();
    let key: Buffer;
    let field: Buffer;
    let value: Buffer;
    if (t.plain) {
      key = Buffer.from(required(t.plain, 'key', ID), 'utf8');
      field = Buffer.from(required(t.plain, 'field', ID), 'utf8');
      value = Buffer.from(t.plain.value ?? '', 'utf8');
    } else {
      const node = asNode(arg);
      const prefix = node?.kind === 'folder' ? Buffer.from(node.path, 'latin1').toString('utf8') : '';
      const title = 'Add Hash';
      const name = orCancel(
        await services.prompts.input({ title, prompt: 'Key name of the new hash', value: prefix, valueSelection: [prefix.length, prefix.length], validateInput: (v) => (v ? undefined : 'A key name is needed.') }),
      );
      const f = orCancel(await services.prompts.input({ title, prompt: 'Its first field (a hash cannot be empty)', validateInput: (v) => (v ? undefined : 'A field name is needed.') }));
      key = Buffer.from(name, 'utf8');
      field = Buffer.from(f, 'utf8');
      value = Buffer.from(orCancel(await services.prompts.input({ title, prompt: `Value of "${f}"` })), 'utf8');
    }
    await createHash(conn, key, field, value);
    await services.changes.fire({ kind: 'keyAdded', connection: t.connection, db: t.db, key });
  },
};
