import { isUtf8 } from 'node:buffer';
import { escapeBytes, unescapeBytes } from '../codec';
import type { FormatName, TransformName } from '../../shared/decoded';
import { isDecoderChain } from '../../shared/decoded';
import { base64 } from './base64';
import { brotli } from './brotli';
import { gzip } from './gzip';
import { hex } from './hex';
import { json } from './json';
import { MAX_OUTPUT } from './limits';
import { lz4 } from './lz4';
import { msgpack } from './msgpack';
import { php } from './php';
import { pickle } from './pickle';
import { protobuf } from './protobuf';
import { snappy } from './snappy';
import { text } from './text';
import { DecodeError } from './types';
import type { Format, FormatView, Limits, Transform } from './types';
import { deflate, zlib } from './zlib';
import { zstd, zstdReady } from './zstd';

/*
 * Decoder chains: transforms (decompression, base64) then one format. `decode` applies a chain (or detects
 * one from the bytes), and works out whether the decoded text can be edited: only when encoding the
 * unchanged text gives back the exact stored bytes. A chain that fails shows the raw value with the reason.
 */

const TRANSFORM_TABLE: Record<TransformName, Transform> = { gzip, zlib, deflate, brotli, zstd, lz4, snappy, base64 };
const FORMAT_TABLE: Record<FormatName, Format> = { text, json, hex, msgpack, php, pickle, protobuf };
/** Transforms detection tries, by magic number (the others have none). */
const DETECTED_TRANSFORMS = [gzip, zstd, lz4, zlib];
/** Formats detection tries, in order: UTF-8 text first, then binary ones. */
const TEXT_FORMATS = [json, php];
const BINARY_FORMATS = [pickle, msgpack];

export interface Decoding {
  /** the chain applied, e.g. "gzip+json"; "raw" when the value is shown as stored */
  chain: string;
  detected: boolean;
  format: FormatName | 'raw';
  /** bytes the format read (after the transforms) */
  plain: Buffer;
  view: FormatView;
  editable: boolean;
  readOnlyReason?: string;
  notes: string[];
  /** the whole chain's encoder, when editable */
  encode?: (text: string) => Buffer;
}

interface DecodeOptions {
  limits?: Partial<Limits>;
  /** skip the round-trip check (a one-line preview needs no encoder) */
  noEncoder?: boolean;
}

/** The raw form: text when UTF-8, else escaped bytes; always editable. */
function rawView(raw: Buffer): FormatView {
  return isUtf8(raw) ? { text: raw.toString('utf8'), encode: (t) => Buffer.from(t, 'utf8') } : { text: escapeBytes(raw), encode: (t) => unescapeBytes(t) };
}

function raw(b: Buffer, detected: boolean, notes: string[]): Decoding {
  return { chain: 'raw', detected, format: 'raw', plain: b, view: rawView(b), editable: true, notes, encode: rawView(b).encode };
}

function messageOf(err: unknown): string {
  if (err instanceof DecodeError) return err.message;
  if (err instanceof RangeError) return 'The decoded value is too big or nested too deeply to show; shown raw.';
  return 'The decoder failed on this value; shown raw.';
}

/** Loads what a chain needs before it runs (the zstd WebAssembly module). */
async function prepare(parts: string[], b: Buffer): Promise<void> {
  if (parts.includes('zstd') || (parts.length === 0 && zstd.magic?.(b))) await zstdReady();
}

/** Decodes `b` with `spec` ("auto", "raw", or a chain such as "gzip+json"). Never throws for bad data: the raw form comes back with a note. */
export async function decode(b: Buffer, spec: string, options: DecodeOptions = {}): Promise<Decoding> {
  const limits: Limits = { maxOutput: options.limits?.maxOutput ?? MAX_OUTPUT };
  if (spec === 'raw') return raw(b, false, []);
  if (!isDecoderChain(spec)) return raw(b, false, [`"${spec}" is not a decoder; shown raw.`]);
  const auto = spec === 'auto';
  const parts = auto ? [] : spec.split('+');
  await prepare(parts, b);
  // each stage's input, to find encoders for the round trip
  const inputs: Buffer[] = [];
  const applied: Transform[] = [];
  let cur = b;
  try {
    if (auto) {
      for (let i = 0; i < 3; i++) {
        const t = DETECTED_TRANSFORMS.find((x) => x.magic?.(cur));
        if (!t) break;
        if (t === zstd) await zstdReady();
        inputs.push(cur);
        cur = t.decode(cur, limits);
        applied.push(t);
      }
    } else {
      for (const p of parts) {
        const t = TRANSFORM_TABLE[p as TransformName];
        if (!t) break;
        inputs.push(cur);
        cur = t.decode(cur, limits);
        applied.push(t);
      }
    }
  } catch (err) {
    return raw(b, auto, [messageOf(err)]);
  }
  const named = auto ? undefined : FORMAT_TABLE[parts[parts.length - 1] as FormatName];
  const format = named ?? (auto ? detectFormat(cur) : isUtf8(cur) ? text : hex);
  let view: FormatView;
  try {
    view = format.decode(cur);
  } catch (err) {
    if (applied.length === 0) return raw(b, auto, [messageOf(err)]);
    // the decompressed bytes are fine; only the format is not: show them as text
    view = text.decode(cur);
    return finish(cur, applied, inputs, text, view, auto, [messageOf(err)], options);
  }
  return finish(cur, applied, inputs, format, view, auto, [], options);
}

function detectFormat(b: Buffer): Format {
  if (isUtf8(b)) return TEXT_FORMATS.find((f) => f.detect?.(b)) ?? text;
  return BINARY_FORMATS.find((f) => f.detect?.(b)) ?? hex;
}

function finish(plain: Buffer, applied: Transform[], inputs: Buffer[], format: Format, view: FormatView, detected: boolean, notes: string[], options: DecodeOptions): Decoding {
  const chain = [...applied.map((t) => t.name), format.name].join('+');
  const d: Decoding = { chain, detected, format: format.name as FormatName, plain, view, editable: false, notes: [...notes, ...(view.notes ?? [])] };
  if (options.noEncoder) return d;
  if (!view.encode) {
    d.readOnlyReason = view.readOnly ?? `${format.name} is read-only.`;
    return d;
  }
  const encodeFormat = view.encode;
  try {
    if (!encodeFormat(view.text).equals(plain)) {
      d.readOnlyReason = `Writing the unchanged ${format.name} again does not give back the same bytes, so editing it in this form could change data you did not touch. Edit the raw value instead.`;
      return d;
    }
  } catch {
    d.readOnlyReason = `The ${format.name} form of this value cannot be written back; edit the raw value instead.`;
    return d;
  }
  // innermost transform first: each must turn its output back into its exact input
  const encoders: Array<(p: Buffer) => Buffer> = [];
  for (let i = applied.length - 1; i >= 0; i--) {
    const t = applied[i];
    const out = i === applied.length - 1 ? plain : inputs[i + 1];
    const fitted = t.fit ? t.fit(out, inputs[i]) : { reason: `${t.name} has no encoder` };
    if ('reason' in fitted) {
      d.readOnlyReason = `Editing in this form is refused: ${fitted.reason}. Edit the raw value instead.`;
      return d;
    }
    encoders.push(fitted.encode);
  }
  d.editable = true;
  d.encode = (t: string) => encoders.reduce((bytes, enc) => enc(bytes), encodeFormat(t));
  return d;
}

/** One line of the decoded value for the table (whitespace folded), at most `max` characters. */
export function previewLine(d: Decoding, max = 200): string {
  const t = d.view.text.length > max * 8 ? d.view.text.slice(0, max * 8) : d.view.text;
  const line = t.replace(/\s*\n\s*/g, ' ').replace(/\t/g, ' ');
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
