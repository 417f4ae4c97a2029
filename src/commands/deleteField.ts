import { RedisExplorerError } from '../core/errors';
import { deleteFields } from '../core/hashOps';
import { nameForMessage } from '../core/codec';
import type { Services } from './services';
import type { FieldNode } from '../tree/nodes';
import type { CommandSpec } from './command';
import { fireFieldChange } from './conflict';
import { client, fieldTarget, selectedNodes } from './resolve';

const ID = 'redisHashExplorer.deleteField';

interface Group {
  connection: string;
  db: number;
  key: Buffer;
  fields: Buffer[];
}

/**
 * Deletes one field, or every selected field (they may belong to several hashes) after one
 * confirmation naming the count. Scripted `{ connection, key, field }` deletes without asking and
 * rejects when the field did not exist.
 */
export const deleteField: CommandSpec = {
  id: ID,
  async run(services, arg, selection) {
    const nodes = selectedNodes(arg, selection, 'field');
    let groups: Group[];
    let scripted = false;
    if (nodes.length) groups = groupNodes(nodes);
    else {
      const one = await single(services, arg);
      groups = [one];
      scripted = one.scripted;
    }
    const total = groups.reduce((n, g) => n + g.fields.length, 0);
    if (!scripted) {
      const message =
        total === 1
          ? `Delete field "${nameForMessage(groups[0].fields[0])}" from "${nameForMessage(groups[0].key)}"?`
          : `Delete ${total} fields${groups.length > 1 ? ` from ${groups.length} hashes` : ` from "${nameForMessage(groups[0].key)}"`}?`;
      if ((await services.prompts.ask(message, 'This cannot be undone.', 'Delete')) !== 'Delete') return;
    }
    let removed = 0;
    for (const g of groups) {
      const conn = await client(services, g);
      removed += await deleteFields(conn, g.key, g.fields);
      await fireFieldChange(services, { ...g, field: g.fields[0] }, g.fields);
    }
    if (scripted && removed === 0) throw new RedisExplorerError('NOT_FOUND', `Field "${nameForMessage(groups[0].fields[0])}" does not exist in "${nameForMessage(groups[0].key)}".`);
  },
};

async function single(services: Services, arg: unknown): Promise<Group & { scripted: boolean }> {
  const t = await fieldTarget(services, arg, ID, 'Delete Field');
  (await client(services, t)).assertWritable();
  return { connection: t.connection, db: t.db, key: t.key, fields: [t.field], scripted: t.scripted };
}

function groupNodes(nodes: FieldNode[]): Group[] {
  const groups = new Map<string, Group>();
  for (const n of nodes) {
    const id = `${n.conn.name}\u0000${n.conn.session.db}\u0000${n.parent.keyId}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { connection: n.conn.name, db: n.conn.session.db, key: n.parent.key, fields: [] }));
    if (!g.fields.some((f) => f.equals(n.field))) g.fields.push(n.field);
  }
  return [...groups.values()];
}
