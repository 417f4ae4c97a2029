import type { CommandSpec } from './command';
import { fieldSource, runDelete } from './bulkSupport';
import { client, keyTarget } from './resolve';

const ID = 'redisHashExplorer.deleteFields';

/**
 * Deletes many fields of a hash: every field matching a pattern (counted first), or named ones. Confirms
 * with the count (the key's name typed above 1,000 fields), HDEL in batches with progress and Cancel.
 * Scripted: `{ connection, db?, key, match }` or `{ ..., fields: [...] }` asks nothing, resolves with `{ deleted }`.
 */
export const deleteFields: CommandSpec = {
  id: ID,
  async run(services, arg) {
    const t = await keyTarget(services, arg, ID, 'Delete Fields', true);
    const conn = await client(services, t);
    conn.assertWritable();
    const source = await fieldSource(services.prompts, t, ID, 'Delete Fields');
    const r = await runDelete({ conn, key: t.key, source, scripted: t.scripted, prompts: services.prompts });
    if (t.node && r) services.tree.refresh(t.node);
    return t.scripted ? { deleted: r?.done ?? 0 } : undefined;
  },
};
