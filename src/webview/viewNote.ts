import type { StatusInfo } from '../shared/protocol';
import { formatCount } from './dom';

/*
 * The lines above and in the table that say what it shows when that is not simply every field.
 */

/** The line in an empty table: why it is empty (`keyExists` false: the header says the key is gone). */
export function emptyText(s: StatusInfo, keyExists: boolean): string {
  const quiet = s.view.length > 0 || s.load === 'loading' || (s.load === 'error' && s.view.length === 0);
  return quiet ? '' : s.view.filter || s.match ? 'No field matches.' : !keyExists ? 'This key does not exist.' : 'No fields.';
}

/** What the view covers when it is not simply every field: a sort or filter over part of the hash, TTLs still being read. */
export function viewNoteText(s: StatusInfo): string {
  const partial = s.load !== 'done' || s.match !== '';
  const sort = s.view.sort;
  if (s.ttlRead) return `Reading field TTLs to sort by: ${formatCount(s.ttlRead.done)} of ${formatCount(s.ttlRead.total)}…`;
  if (!sort && !(s.view.filter && partial)) return '';
  // what the sort or filter runs over, counted as what it is: fields shown, fields loaded, fields matching
  const fields = (n: number) => `${formatCount(n)} field${n === 1 ? '' : 's'}`;
  const loaded = `${fields(s.loaded)}${s.match ? ` matching ${s.match}` : ''}${s.load === 'done' ? '' : ' loaded so far'}`;
  const over = s.view.filter ? `${fields(s.view.length)} shown by the filter, out of the ${loaded}` : `the ${loaded}`;
  const rest = s.load === 'done' ? '' : ': not all fields are loaded';
  if (sort?.by === 'ttl') {
    const order = sort.descending ? 'fields without a TTL first, then the latest expiry' : 'soonest expiry first, fields without a TTL after';
    const unknown = s.view.ttlUnknown ? ` ${fields(s.view.ttlUnknown)} loaded since are last until their TTLs are read.` : '';
    return `Sorted by TTL (${order})${partial || s.view.filter ? ` over ${over}` : ''}.${unknown}`;
  }
  if (sort) return partial || s.view.filter ? `Sorted by ${sort.by} over ${over}${rest}.` : '';
  return `The filter covers the ${loaded}${rest}.`;
}
