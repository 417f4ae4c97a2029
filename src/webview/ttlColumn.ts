import { formatTtl } from '../shared/format';
import type { RowDto } from '../shared/protocol';

/*
 * The TTL column's cells: a row carries its field's TTL as the server said when the row was fetched; the
 * cell counts down from when that reply arrived, with no request per second.
 */

/** Seconds at or below which a TTL is shown as about to run out. */
const SOON_S = 10;

interface TtlCell {
  text: string;
  /** '' no TTL data; 'none' no TTL (muted); 'live' counting; 'soon' under 10 s; 'expired' gone */
  state: '' | 'none' | 'live' | 'soon' | 'expired';
  /** it ran out at least a second after it was fetched: ask for the row again (it should be gone) */
  due: boolean;
}

export function ttlCell(row: RowDto | undefined, receivedAt: number, now: number): TtlCell {
  const ttl = row?.ttl;
  if (ttl === undefined || row === undefined || row.id < 0) return { text: '', state: '', due: false };
  if (ttl === -1) return { text: formatTtl(-1), state: 'none', due: false };
  if (ttl < 0) return { text: formatTtl(-2), state: 'expired', due: false };
  const left = Math.max(0, Math.round((receivedAt + ttl * 1000 - now) / 1000));
  return { text: formatTtl(left), state: left <= SOON_S ? 'soon' : 'live', due: left === 0 && now - receivedAt >= 1000 };
}

/** The remaining seconds of a row's TTL now (-1 none), for the TTL editor's starting value. */
export function remainingSeconds(row: RowDto, receivedAt: number, now = Date.now()): number {
  if (row.ttl === undefined || row.ttl < 0) return -1;
  return Math.max(0, Math.round((receivedAt + row.ttl * 1000 - now) / 1000));
}
