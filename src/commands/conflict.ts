import type { RedisConnection } from '../core/connection';
import { nameForMessage, preview } from '../core/codec';
import { compareAndSet } from '../core/hashOps';
import type { CasResult } from '../core/hashOps';
import { fieldSet, settle } from '../core/settle';
import type { BaseServices } from '../services';

export interface FieldRef {
  connection: string;
  db: number;
  key: Buffer;
  field: Buffer;
}

type WriteOutcome = 'written' | 'reloaded' | 'cancelled';

/** Tells the views; resolves once they show the change. */
export function fireFieldChange(services: BaseServices, ref: FieldRef, fields: Buffer[] = [ref.field]): Promise<void> {
  return services.changes.fire({ kind: 'fields', connection: ref.connection, db: ref.db, key: ref.key, fields });
}

/**
 * Writes a value the user edited, only if the field still holds the value they saw (compare-and-set).
 * If it changed on the server meanwhile, nothing is written and the user chooses: Overwrite (write
 * over the value the conflict showed them, compare-and-set again: a newer change asks again) or Reload
 * (show the server's value); dismissing writes nothing. `expiresAt`: when the field was due to expire as
 * shown (ms since epoch), so a field gone by its TTL is called expired, not deleted.
 */
export async function writeIfUnchanged(
  services: BaseServices,
  conn: RedisConnection,
  ref: FieldRef,
  expected: Buffer | null,
  value: Buffer,
  expiresAt?: number | null,
): Promise<WriteOutcome> {
  let seen = expected;
  for (;;) {
    const before = seen;
    const r: CasResult = await compareAndSet(conn, ref.key, ref.field, before, value).catch(async (err: unknown) => {
      await settle(conn, err, 'change', fieldSet(conn, ref.key, ref.field, before, value));
      return { ok: true };
    });
    if (r.ok) {
      await fireFieldChange(services, ref);
      return 'written';
    }
    const deleted = r.current === null;
    const expired = deleted && typeof expiresAt === 'number' && expiresAt <= Date.now() + 1000;
    const what = expired ? 'expired on the server (its TTL ran out)' : deleted ? 'was deleted on the server' : 'changed on the server';
    const choice = await services.prompts.ask(
      `Field "${nameForMessage(ref.field)}" ${what} since it was shown. Nothing was written.`,
      deleted ? 'Overwrite writes your value again (without a TTL); Reload shows the hash as it is now.' : `It now holds: ${preview(r.current ?? Buffer.alloc(0), 200)}\n\nOverwrite it with your value, or reload the server's value?`,
      'Overwrite',
      'Reload',
    );
    if (choice === 'Reload') {
      // Not a write of ours, but the field did change: views showing it re-read it.
      await fireFieldChange(services, ref);
      return 'reloaded';
    }
    if (choice !== 'Overwrite') return 'cancelled';
    seen = r.current;
    expiresAt = undefined;
  }
}
