import type { RedisConnection } from './connection';
import { RedisExplorerError } from './errors';
import type { RedisKey } from './pagers';

/** The first batch refuses a key that exists (someone wrote it again meanwhile); later batches add to ours. */
const WRITE_BATCH = `
if ARGV[1] == '1' and redis.call('EXISTS', KEYS[1]) == 1 then return {err='EXISTS key'} end
return redis.call('HSET', KEYS[1], unpack(ARGV, 2))`;

const BATCH = 1000;

/**
 * Writes a deleted hash back from what a view still shows (the user asked for it): never over a key that
 * exists again, in batches of 1,000 fields, each one script. Field TTLs are not restored (they were shown, not kept).
 */
export async function recreateHash(conn: RedisConnection, key: RedisKey, fields: Buffer[], values: Buffer[]): Promise<number> {
  conn.assertWritable();
  if (fields.length === 0) throw new RedisExplorerError('INVALID', 'The table holds no fields to recreate the key from. Nothing was written.');
  for (let i = 0; i < fields.length; i += BATCH) {
    const args: Buffer[] = [];
    for (let j = i; j < Math.min(fields.length, i + BATCH); j++) args.push(fields[j], values[j]);
    try {
      await conn.run((c) => c.eval(WRITE_BATCH, 1, key, i === 0 ? '1' : '0', ...args));
    } catch (err) {
      if (err instanceof Error && err.message.includes('EXISTS key')) throw new RedisExplorerError('EXISTS', 'The key exists again on the server (written meanwhile): nothing was written. Reload to see it.');
      throw err;
    }
  }
  return fields.length;
}
