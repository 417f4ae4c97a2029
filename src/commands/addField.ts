import { RedisExplorerError } from '../core/errors';
import { fieldTtlUnsupported } from '../core/serverInfo';
import { addField as addFieldOp } from '../core/hashOps';
import { nameForMessage } from '../core/codec';
import type { CommandSpec } from './command';
import { orCancel } from './command';
import { fireFieldChange } from './conflict';
import { client, keyTarget } from './resolve';
import { required } from './target';

const ID = 'redisHashExplorer.addField';

/**
 * Adds a field to an existing hash; refuses a field that exists (HSETNX) or a hash deleted meanwhile.
 * Scripted `ttl` (seconds, servers with field TTLs) gives the new field a TTL in the same atomic step.
 */
export const addField: CommandSpec = {
  id: ID,
  async run(services, arg) {
    const t = await keyTarget(services, arg, ID, 'Add Field', true);
    const conn = await client(services, t);
    conn.assertWritable();
    let field: Buffer;
    let value: Buffer;
    let ttl = 0;
    if (t.plain) {
      field = Buffer.from(required(t.plain, 'field', ID), 'utf8');
      value = Buffer.from(t.plain.value ?? '', 'utf8');
      ttl = Math.max(0, t.plain.ttl ?? 0);
      const info = services.pool.status(t.connection).info;
      if (ttl > 0 && info && !info.capabilities.fieldTtl) throw new RedisExplorerError('INVALID', fieldTtlUnsupported(info));
    } else {
      const name = orCancel(
        await services.prompts.input({ title: `Add a field to ${nameForMessage(t.key)}`, prompt: 'Field name', validateInput: (v) => (v ? undefined : 'A field name is needed.') }),
      );
      field = Buffer.from(name, 'utf8');
      value = Buffer.from(orCancel(await services.prompts.input({ title: `Add a field to ${nameForMessage(t.key)}`, prompt: `Value of "${name}"` })), 'utf8');
    }
    await addFieldOp(conn, t.key, field, value, true, ttl);
    await fireFieldChange(services, { ...t, field });
  },
};
