import { crc32 } from 'node:zlib';
import type * as Decoders from '../core/decoders';
import { RedisExplorerError } from '../core/errors';
import { matchesGlob } from '../core/glob';
import type { DecodedValue } from '../shared/decoded';
import { isDecoderChain } from '../shared/decoded';
import type { RowDto, WriteResult } from '../shared/protocol';
import type { HashSession } from '../core/hashSession';

/*
 * Values in their decoded form for the hash editor: the decoder of each row (chosen per field, by a
 * `redisHashExplorer.decoders` rule, or detected), one-line previews for the table, the value pane's
 * whole decoded value, and saving an edited decoded value (re-encoded, compare-and-set against the raw
 * bytes the pane showed). The decoders module loads on first use: an editor of plain values never pays for it.
 */

type DecodersModule = typeof Decoders;
let loading: Promise<DecodersModule> | undefined;

/** The decoders, loaded once (a chunk of its own in the bundle: dist/decoders.js). */
export function decoders(): Promise<DecodersModule> {
  loading ??= import('../core/decoders');
  return loading;
}

export interface DecoderRule {
  keys: string;
  fields?: string;
  decoder: string;
}

/** Characters of decoded text sent to the pane at most; a bigger value is shown capped (edit it in a tab). */
const PANE_TEXT_MAX = 2 * 1024 * 1024;
/** Decompressed bytes a table preview may produce (the pane allows the full cap). */
const PREVIEW_OUTPUT_MAX = 1024 * 1024;
const MAX_PREVIEWS = 10_000;
const MAX_TOKENS = 20;

interface Preview {
  crc: number;
  length: number;
  /** the decoder spec it was made with (a setting or a choice may change it) */
  spec: string;
  decoder?: string;
  line?: string;
}

interface PaneToken {
  gen: number;
  field: Buffer;
  raw: Buffer;
  encode: (text: string) => Buffer;
}

export class ValueDecoding {
  /** decoders the user chose, by field (base64 of its bytes) */
  private readonly chosen = new Map<string, string>();
  private readonly previews = new Map<number, Preview>();
  private readonly tokens = new Map<number, PaneToken>();
  private nextToken = 1;

  constructor(
    private readonly s: HashSession,
    private readonly rules: () => DecoderRule[],
  ) {}

  /** The decoder spec of a field: the user's choice, else the first rule matching key and field, else detection. */
  specFor(field: Buffer): string {
    const mine = this.chosen.get(field.toString('base64'));
    if (mine) return mine;
    for (const r of this.rules()) {
      if (matchesGlob(r.keys, this.s.key) && matchesGlob(r.fields ?? '*', field) && isDecoderChain(r.decoder)) return r.decoder;
    }
    return 'auto';
  }

  /** Adds the decoder and a decoded preview to rows whose value is not plain text (values held whole only). */
  async decorate(rows: RowDto[]): Promise<void> {
    const d = await decoders();
    const st = this.s.store;
    for (const r of rows) {
      if (r.id < 0 || r.truncated) continue;
      const raw = Buffer.from(st.valueAt(r.id));
      const crc = crc32(raw);
      const spec = this.specFor(Buffer.from(st.fieldAt(r.id)));
      let p = this.previews.get(r.id);
      if (!p || p.crc !== crc || p.length !== raw.length || p.spec !== spec) {
        const dec = await d.decode(raw, spec, { noEncoder: true, limits: { maxOutput: PREVIEW_OUTPUT_MAX } });
        const plain = dec.chain === 'raw' || dec.chain === 'text';
        // plain JSON and a hex dump keep the raw preview (already the readable one-liner); the rest show decoded
        const own = dec.chain === 'json' || dec.chain === 'hex';
        p = { crc, length: raw.length, spec, ...(plain ? {} : { decoder: dec.chain, line: own ? undefined : d.previewLine(dec, 200) }) };
        if (dec.chain === 'raw' && dec.notes.length > 0) p.decoder = 'raw';
        if (this.previews.size >= MAX_PREVIEWS) this.previews.clear();
        this.previews.set(r.id, p);
      }
      if (p.decoder) r.decoder = p.decoder;
      if (p.line !== undefined) r.decoded = p.line;
    }
  }

  /** The whole decoded value of a row for the value pane; `choice` sets the field's decoder first. */
  async pane(gen: number, id: number, raw: Buffer, choice: string | undefined, readOnlyConnection: boolean): Promise<DecodedValue> {
    const st = this.s.store;
    const field = Buffer.from(st.fieldAt(id));
    if (choice !== undefined) {
      if (choice === 'auto') this.chosen.delete(field.toString('base64'));
      else this.chosen.set(field.toString('base64'), choice);
      this.previews.delete(id);
    }
    const spec = this.specFor(field);
    const d = await decoders();
    const dec = await d.decode(raw, spec);
    const notes = [...dec.notes];
    const capped = dec.view.text.length > PANE_TEXT_MAX;
    if (capped) notes.push(`Only the first ${(PANE_TEXT_MAX / 1024 / 1024).toFixed(0)} M characters are shown; open the value in an editor tab to see or edit all of it.`);
    let editable = dec.editable && !capped;
    let reason = dec.readOnlyReason ?? (capped ? 'Too big to edit here: open it in an editor tab.' : undefined);
    if (readOnlyConnection && editable) {
      editable = false;
      reason = 'The connection is read-only.';
    }
    let token = 0;
    if (editable && dec.encode) {
      token = this.nextToken++;
      this.tokens.set(token, { gen, field, raw, encode: dec.encode });
      if (this.tokens.size > MAX_TOKENS) this.tokens.delete(this.tokens.keys().next().value as number);
    }
    const kind = dec.format === 'hex' ? 'hex' : dec.view.tree !== undefined ? 'tree' : dec.format === 'json' ? 'json' : 'text';
    return {
      decoder: dec.chain,
      detected: spec === 'auto',
      kind,
      text: capped ? dec.view.text.slice(0, PANE_TEXT_MAX) : dec.view.text,
      textCapped: capped,
      ...(dec.view.tree !== undefined ? { tree: d.toTree(dec.view.tree) } : {}),
      size: dec.plain.length,
      rawLength: raw.length,
      editable,
      ...(reason ? { readOnlyReason: reason } : {}),
      notes,
      token,
    };
  }

  /** Encodes edited text with the encoder the pane's decode found; the write compares against the bytes that decode read. */
  async save(token: number, text: string, write: (field: Buffer, expected: Buffer, next: Buffer) => Promise<WriteResult>): Promise<WriteResult> {
    const t = this.tokens.get(token);
    if (!t || t.gen !== this.s.gen) throw new RedisExplorerError('INVALID', 'That decoded value is no longer current (the table was reloaded or the value shown again); nothing was written. Show it again and edit it there.');
    let next: Buffer;
    try {
      next = t.encode(text);
    } catch (err) {
      throw new RedisExplorerError('INVALID', `${err instanceof Error ? err.message : String(err)} Nothing was written.`);
    }
    if (next.equals(t.raw)) return { status: 'noop' };
    const r = await write(t.field, t.raw, next);
    if (r.status === 'ok') {
      // later saves from this pane compare against what is now stored
      t.raw = next;
    } else {
      this.tokens.delete(token);
    }
    return r;
  }

  /** The decoded text of a whole value (copy as decoded). */
  async decodedText(field: Buffer, raw: Buffer): Promise<string> {
    const d = await decoders();
    return (await d.decode(raw, this.specFor(field), { noEncoder: true })).view.text;
  }
}
