import type { Format } from './types';

/** Bytes shown as a hex dump beyond this are left out (a dump is 4x the bytes). */
const MAX_DUMP = 256 * 1024;

/** A hex dump with offsets: 16 bytes a line, hex then printable ASCII. */
function hexDump(b: Buffer, max = MAX_DUMP): string {
  const end = Math.min(b.length, max);
  const lines: string[] = [];
  for (let at = 0; at < end; at += 16) {
    const row = b.subarray(at, Math.min(at + 16, end));
    const hex = [...row].map((x) => x.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...row].map((x) => (x >= 0x20 && x < 0x7f ? String.fromCharCode(x) : '.')).join('');
    lines.push(`${at.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join('\n');
}

export const hex: Format = {
  name: 'hex',
  decode(b) {
    const notes = b.length > MAX_DUMP ? [`Only the first ${MAX_DUMP / 1024} KB of ${b.length.toLocaleString('en-US')} bytes are shown.`] : [];
    return { text: hexDump(b), notes, readOnly: 'A hex dump is a view of the bytes; edit the raw value instead.' };
  },
};
