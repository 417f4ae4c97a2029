import { RedisExplorerError } from '../core/errors';
import { deleteKeys } from '../core/keyOps';
import { nameForMessage } from '../core/codec';
import type { CommandSpec } from './command';
import { client, keyTarget, selectedNodes } from './resolve';

const ID = 'redisHashExplorer.deleteKey';

interface Group {
  connection: string;
  db: number;
  keys: Buffer[];
}

/**
 * Deletes a key, or every selected key after one confirmation naming the count (UNLINK: the memory
 * of a big hash is freed in the background). Scripted `{ connection, key }` asks nothing and rejects
 * when the key did not exist.
 */
export const deleteKey: CommandSpec = {
  id: ID,
  async run(services, arg, selection) {
    const nodes = selectedNodes(arg, selection, 'key');
    let groups: Group[];
    let scripted = false;
    if (nodes.length) {
      const byConn = new Map<string, Group>();
      for (const n of nodes) {
        const id = `${n.conn.name}\u0000${n.conn.session.db}`;
        let g = byConn.get(id);
        if (!g) byConn.set(id, (g = { connection: n.conn.name, db: n.conn.session.db, keys: [] }));
        g.keys.push(n.key);
      }
      groups = [...byConn.values()];
    } else {
      const t = await keyTarget(services, arg, ID, 'Delete Key', services.tree.settings().onlyHashes);
      scripted = t.scripted;
      groups = [{ connection: t.connection, db: t.db, keys: [t.key] }];
    }
    for (const g of groups) (await client(services, g)).assertWritable();
    const total = groups.reduce((n, g) => n + g.keys.length, 0);
    if (!scripted) {
      const message = total === 1 ? `Delete key "${nameForMessage(groups[0].keys[0])}"?` : `Delete ${total} keys?`;
      if ((await services.prompts.ask(message, 'This cannot be undone.', 'Delete')) !== 'Delete') return;
    }
    let removed = 0;
    for (const g of groups) {
      removed += await deleteKeys(await client(services, g), g.keys);
      await Promise.all(g.keys.map((key) => services.changes.fire({ kind: 'keyDeleted', connection: g.connection, db: g.db, key })));
    }
    if (scripted && removed === 0) throw new RedisExplorerError('NOT_FOUND', `Key "${nameForMessage(groups[0].keys[0])}" does not exist.`);
  },
};
