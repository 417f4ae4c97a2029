import { RedisExplorerError } from '../core/errors';
import { getTtl, removeTtl, setTtl as setTtlOp } from '../core/keyOps';
import { nameForMessage } from '../core/codec';
import type { CommandSpec } from './command';
import { orCancel } from './command';
import { client, keyTarget } from './resolve';
import { required } from './target';
import { formatTtl } from '../shared/format';

const ID = 'redisHashExplorer.setTtl';

/** Sets a key's time to live in seconds; 0 (or -1, or an empty answer) removes it. */
export const setTtl: CommandSpec = {
  id: ID,
  async run(services, arg) {
    const t = await keyTarget(services, arg, ID, 'Set TTL', services.tree.settings().onlyHashes);
    const conn = await client(services, t);
    conn.assertWritable();
    let seconds: number;
    if (t.plain) {
      seconds = required(t.plain, 'ttl', ID);
    } else {
      const current = await getTtl(conn, t.key);
      if (current === -2) throw new RedisExplorerError('NOT_FOUND', `Key "${nameForMessage(t.key)}" no longer exists.`);
      const text = orCancel(
        await services.prompts.input({
          title: `Set TTL of ${nameForMessage(t.key)}`,
          prompt: 'Seconds to live (empty or 0 removes the TTL)',
          value: current > 0 ? String(current) : '',
          validateInput: (v) => (/^\s*\d*\s*$/.test(v) ? undefined : 'A whole number of seconds, 0 or more.'),
        }),
      );
      seconds = text.trim() ? Number(text) : 0;
    }
    if (seconds > 0) await setTtlOp(conn, t.key, seconds);
    else await removeTtl(conn, t.key);
    await services.changes.fire({ kind: 'key', connection: t.connection, db: t.db, key: t.key });
    if (!t.scripted) services.prompts.inform(seconds > 0 ? `Key "${nameForMessage(t.key)}" now expires in ${formatTtl(seconds)}.` : `Key "${nameForMessage(t.key)}" no longer has a TTL.`);
  },
};
