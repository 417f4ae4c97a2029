import { RedisExplorerError } from '../core/errors';
import { fieldTtls, parseFieldTtl, removeFieldTtl, setFieldTtl as setFieldTtlOp } from '../core/fieldTtl';
import { fieldTtlUnsupported } from '../core/serverInfo';
import { nameForMessage } from '../core/codec';
import { formatTtl } from '../shared/format';
import type { CommandSpec } from './command';
import { orCancel } from './command';
import { fireFieldChange } from './conflict';
import { client, fieldTarget } from './resolve';
import { required } from './target';

const ID = 'redisHashExplorer.setFieldTtl';

/**
 * Sets one hash field's time to live in seconds (Redis 7.4+); 0 or -1 removes it. Scripted:
 * `{ connection, db?, key, field, ttl }`. A server without field TTLs is refused before anything is sent.
 */
export const setFieldTtl: CommandSpec = {
  id: ID,
  async run(services, arg) {
    const t = await fieldTarget(services, arg, ID, 'Set Field TTL');
    let seconds = t.plain ? required(t.plain, 'ttl', ID) : 0;
    const conn = await client(services, t);
    conn.assertWritable();
    const info = services.pool.status(t.connection).info;
    if (info && !info.capabilities.fieldTtl) throw new RedisExplorerError('INVALID', fieldTtlUnsupported(info));
    if (!t.plain) {
      const [current] = await fieldTtls(conn, t.key, [t.field]);
      if (current === -2) throw new RedisExplorerError('NOT_FOUND', `Field "${nameForMessage(t.field)}" no longer exists in "${nameForMessage(t.key)}".`);
      const text = orCancel(
        await services.prompts.input({
          title: `Set TTL of field ${nameForMessage(t.field)} in ${nameForMessage(t.key)}`,
          prompt: `Seconds to live (empty, 0 or -1 removes the TTL). Now: ${current > 0 ? `expires in ${formatTtl(current)}` : 'no TTL'}.`,
          value: current > 0 ? String(current) : '',
          validateInput: (v) => {
            const r = parseFieldTtl(v);
            return 'error' in r ? r.error : undefined;
          },
        }),
      );
      const parsed = parseFieldTtl(text);
      if ('error' in parsed) throw new RedisExplorerError('INVALID', `${parsed.error} Nothing was changed.`);
      seconds = parsed.seconds;
    }
    if (seconds > 0) await setFieldTtlOp(conn, t.key, t.field, seconds);
    else await removeFieldTtl(conn, t.key, t.field);
    await fireFieldChange(services, t);
    if (!t.scripted) {
      services.prompts.inform(seconds > 0 ? `Field "${nameForMessage(t.field)}" now expires in ${formatTtl(seconds)}.` : `Field "${nameForMessage(t.field)}" no longer has a TTL.`);
    }
  },
};
