import type { RedisConnection } from '../core/connection';
import { preview } from '../core/codec';
import { compareAndSet, setField } from '../core/hashOps';
import type { CasResult } from '../core/hashOps';
import { fieldSet, settle } from '../core/settle';
import type { Services } from '../services';
import { prompts } from './prompts';
import { shown } from './resolve';

export interface FieldRef {
  connection: string;
  db: number;
  key: Buffer;
  field: Buffer;
}

export type WriteOutcome = 'written' | 'reloaded' | 'cancelled';

export function fireFieldChange(services: Services, ref: FieldRef, fields: Buffer[] = [ref.field]): void {
  services.changes.fire({ kind: 'fields', connection: ref.connection, db: ref.db, key: ref.key, fields });
}

/**
 * Writes a value the user edited, only if the field still holds the value they saw (compare-and-set).
 * If it changed on the server meanwhile, nothing is written and the user chooses: Overwrite (write
 * anyway) or Reload (show the server's value); dismissing writes nothing.
 */
export async function writeIfUnchanged(services: Services, conn: RedisConnection, ref: FieldRef, expected: Buffer | null, value: Buffer): Promise<WriteOutcome> {
  const r: CasResult = await compareAndSet(conn, ref.key, ref.field, expected, value).catch(async (err: unknown) => {
    await settle(conn, err, 'change', fieldSet(conn, ref.key, ref.field, expected, value));
    return { ok: true };
  });
  if (r.ok) {
    fireFieldChange(services, ref);
    return 'written';
  }
  const deleted = r.current === null;
  const choice = await prompts.ask(
    `Field "${shown(ref.field)}" ${deleted ? 'was deleted' : 'changed'} on the server since it was shown. Nothing was written.`,
    deleted ? 'Overwrite writes your value again; Reload shows the hash as it is now.' : `It now holds: ${preview(r.current ?? Buffer.alloc(0), 200)}\n\nOverwrite it with your value, or reload the server's value?`,
    'Overwrite',
    'Reload',
  );
  if (choice === 'Overwrite') {
    await setField(conn, ref.key, ref.field, value);
    fireFieldChange(services, ref);
    return 'written';
  }
  if (choice === 'Reload') {
    // Not a write of ours, but the field did change: views showing it re-read it.
    fireFieldChange(services, ref);
    return 'reloaded';
  }
  return 'cancelled';
}
