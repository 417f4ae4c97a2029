import { isUtf8 } from 'node:buffer';
import { DecodeError } from './types';
import type { Format } from './types';
import { MAX_DEPTH } from './limits';

/*
 * Protocol Buffers without a schema: the wire format only (field numbers and wire types). It is small
 * enough to read here; a schema library would add weight for nothing it can use without the .proto.
 * A length-delimited field is shown as a nested message when it parses as one, else as text or bytes.
 */

interface WireField {
  field: number;
  wire: 'varint' | 'fixed64' | 'bytes' | 'fixed32';
  value: string | WireField[];
}

function varint(b: Buffer, at: number): [bigint, number] {
  let n = 0n;
  for (let i = 0, shift = 0n; i < 10; i++, shift += 7n) {
    if (at + i >= b.length) throw new DecodeError('truncated varint');
    const x = b[at + i];
    n |= BigInt(x & 0x7f) << shift;
    if ((x & 0x80) === 0) return [n, at + i + 1];
  }
  throw new DecodeError('varint too long');
}

function readMessage(b: Buffer, depth = 0): WireField[] {
  if (depth > MAX_DEPTH) throw new DecodeError('nested too deeply');
  const out: WireField[] = [];
  let at = 0;
  while (at < b.length) {
    const [tag, next] = varint(b, at);
    at = next;
    const field = Number(tag >> 3n);
    const type = Number(tag & 7n);
    if (field < 1 || field > 0x1fffffff) throw new DecodeError('bad field number');
    if (type === 0) {
      const [v, n] = varint(b, at);
      at = n;
      out.push({ field, wire: 'varint', value: v.toString() });
    } else if (type === 1 || type === 5) {
      const size = type === 1 ? 8 : 4;
      if (at + size > b.length) throw new DecodeError('truncated fixed field');
      const raw = b.subarray(at, at + size);
      at += size;
      const value = size === 8 ? `${raw.readBigUInt64LE()} (double ${raw.readDoubleLE()})` : `${raw.readUInt32LE()} (float ${raw.readFloatLE()})`;
      out.push({ field, wire: size === 8 ? 'fixed64' : 'fixed32', value });
    } else if (type === 2) {
      const [len, n] = varint(b, at);
      at = n;
      if (len > BigInt(b.length - at)) throw new DecodeError('truncated length-delimited field');
      const body = b.subarray(at, at + Number(len));
      at += Number(len);
      out.push({ field, wire: 'bytes', value: nestedOrText(body, depth) });
    } else {
      throw new DecodeError(`wire type ${type} (groups are not supported)`);
    }
  }
  return out;
}

function nestedOrText(body: Buffer, depth: number): string | WireField[] {
  if (body.length > 0 && !(isUtf8(body) && /^[\x20-\x7e\s\u00a0-\uffff]*$/.test(body.toString('utf8')))) {
    try {
      return readMessage(body, depth + 1);
    } catch {
      /* not a message: bytes */
    }
  }
  return isUtf8(body) ? body.toString('utf8') : `0x${body.toString('hex')}`;
}

function toJson(fields: WireField[]): unknown {
  return fields.map((f) => ({ [`${f.field}:${f.wire}`]: typeof f.value === 'string' ? f.value : toJson(f.value) }));
}

export const protobuf: Format = {
  name: 'protobuf',
  decode(b) {
    let fields: WireField[];
    try {
      fields = readMessage(b);
    } catch (err) {
      throw new DecodeError(`This is not a protobuf message (${(err as Error).message}).`);
    }
    return {
      text: JSON.stringify(toJson(fields), null, 2),
      tree: toJson(fields),
      readOnly: 'Protobuf without a schema is read-only: field names and types are unknown, so it cannot be written back.',
    };
  },
};
