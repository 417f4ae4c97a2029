import type { CommandSpec } from './command';
import { fieldSource, runFieldTtl } from './bulkSupport';
import { client, keyTarget } from './resolve';
import { required } from './target';

const ID = 'redisHashExplorer.setFieldsTtl';

/**
 * Sets (or with `ttl` 0 or -1 removes) the TTL of many fields of a hash: every field matching a pattern, or
 * named ones; HEXPIRE / HPERSIST in batches with progress and Cancel. Servers with field TTLs only.
 * Scripted: `{ connection, db?, key, match | fields, ttl }` resolves with `{ changed }`.
 */
export const setFieldsTtl: CommandSpec = {
  id: ID,
  async run(services, arg) {
    const t = await keyTarget(services, arg, ID, 'Set TTL of Fields', true);
    const conn = await client(services, t);
    conn.assertWritable();
    const source = await fieldSource(services.prompts, t, ID, 'Set TTL of Fields');
    const seconds = t.plain ? required(t.plain, 'ttl', ID) : undefined;
    const r = await runFieldTtl({ conn, key: t.key, source, scripted: t.scripted, prompts: services.prompts }, seconds);
    if (t.node && r) services.tree.refresh(t.node);
    return t.scripted ? { changed: r?.done ?? 0 } : undefined;
  },
};
