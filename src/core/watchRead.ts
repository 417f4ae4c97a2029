import { createHash } from 'node:crypto';
import type Redis from 'ioredis';

/*
 * The cheap re-read after a key may have changed: its type (which also re-arms per-key tracking on the
 * reader), and when polling its expiry time and field count; the values of the fields a view shows. Values
 * are kept as digests, never whole (a view may show large values).
 */

export interface KeyRead {
  /** 'none' when the key is gone */
  type: string;
  /** polling only: PEXPIRETIME and HLEN (what the header shows) */
  expireAt?: number;
  length?: number;
  /** digest of each asked field's value and field TTL, by field id ('-' when absent) */
  fields: Map<string, string>;
}

export interface ReadAsk {
  key: Buffer;
  fields: Buffer[];
  polling: boolean;
  /** the server has HPEXPIRETIME (field TTLs): a changed field TTL counts when polling */
  fieldTtl: boolean;
}

function digest(value: Buffer | null, ttl: unknown): string {
  if (value === null) return '-';
  return createHash('sha1').update(value).update(`|${String(ttl ?? '')}`).digest('base64');
}

/** Reads several keys in one round trip on `client`. */
export async function readKeys(client: Redis, asks: ReadAsk[]): Promise<KeyRead[]> {
  const p = client.pipeline();
  for (const a of asks) {
    p.type(a.key);
    if (a.polling) {
      p.call('PEXPIRETIME', a.key);
      p.hlen(a.key);
    }
    if (a.fields.length) {
      p.hmgetBuffer(a.key, ...a.fields);
      if (a.polling && a.fieldTtl) p.call('HPEXPIRETIME', a.key, 'FIELDS', String(a.fields.length), ...a.fields);
    }
  }
  const replies = (await p.exec()) ?? [];
  let i = 0;
  const next = (): unknown => {
    const [err, value] = replies[i++] ?? [null, null];
    // WRONGTYPE on HLEN of a key that is no longer a hash: its type says so
    return err ? null : value;
  };
  const out: KeyRead[] = [];
  for (const a of asks) {
    const typeErr = replies[i]?.[0];
    if (typeErr) throw typeErr;
    const read: KeyRead = { type: String(next()), fields: new Map() };
    if (a.polling) {
      read.expireAt = Number(next());
      read.length = Number(next());
    }
    if (a.fields.length) {
      const values = next();
      const ttls = a.polling && a.fieldTtl ? next() : null;
      a.fields.forEach((f, j) => {
        const v = Array.isArray(values) ? values[j] : null;
        read.fields.set(f.toString('latin1'), digest(Buffer.isBuffer(v) ? v : null, Array.isArray(ttls) ? ttls[j] : ''));
      });
    }
    out.push(read);
  }
  return out;
}
