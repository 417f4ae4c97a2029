import * as v from 'valibot';
import { isDecoderChain } from '../shared/decoded';
import type { PersistedState, WebviewMessage } from '../shared/protocol';

/*
 * The webview is not trusted: every message is checked against these schemas before anything
 * touches Redis. Strict objects refuse extra properties; sizes are bounded.
 */

const MAX_TEXT = 256 * 1024 * 1024;
const MAX_IDS = 1_000_000;

const count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const rowId = v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(0x1ffffff));
const display = v.strictObject({ text: v.pipe(v.string(), v.maxLength(MAX_TEXT)), utf8: v.boolean() });
const sort = v.nullable(v.strictObject({ by: v.picklist(['field', 'value', 'ttl']), descending: v.boolean() }));
/** a field TTL in seconds (-1 and 0 remove it); the precise upper limit is checked in the core */
const fieldTtl = v.pipe(v.number(), v.safeInteger(), v.minValue(-1), v.maxValue(2 ** 48 / 1000));
const pattern = v.pipe(v.string(), v.maxLength(64 * 1024));

function request<M extends string, P extends v.GenericSchema>(method: M, params: P) {
  return v.strictObject({ kind: v.literal('request'), id: v.pipe(v.number(), v.safeInteger()), method: v.literal(method), params });
}

const requestSchema = v.variant('method', [
  request('rows', v.strictObject({ version: count, start: count, count: v.pipe(count, v.maxValue(2000)) })),
  request('locate', v.strictObject({ gen: count, id: rowId, span: v.pipe(count, v.maxValue(1000)) })),
  request('query', v.strictObject({ match: pattern, filter: pattern, sort })),
  request('load', v.strictObject({ action: v.picklist(['stop', 'resume', 'refresh']) })),
  request('lookup', v.strictObject({ field: display })),
  request('detail', v.strictObject({ gen: count, id: rowId, full: v.boolean() })),
  request('edit', v.strictObject({ gen: count, id: rowId, value: display })),
  request('resolve', v.strictObject({ token: count, value: display })),
  request('add', v.strictObject({ field: display, value: display, ttl: v.optional(fieldTtl) })),
  request('rename', v.strictObject({ gen: count, id: rowId, newName: display })),
  request('delete', v.strictObject({ gen: count, ids: v.pipe(v.array(rowId), v.minLength(1), v.maxLength(MAX_IDS)) })),
  request('copy', v.strictObject({ gen: count, ids: v.pipe(v.array(rowId), v.minLength(1), v.maxLength(MAX_IDS)), what: v.picklist(['name', 'value', 'row', 'decoded', 'base64']) })),
  request('openValue', v.strictObject({ gen: count, id: rowId })),
  request('setTtl', v.strictObject({ ttl: v.pipe(v.number(), v.safeInteger(), v.minValue(-1), v.maxValue(2 ** 31)) })),
  request('setFieldTtl', v.strictObject({ gen: count, id: rowId, ttl: fieldTtl })),
  request('decode', v.strictObject({ gen: count, id: rowId, decoder: v.optional(v.pipe(v.string(), v.maxLength(100), v.check(isDecoderChain, 'not a decoder'))) })),
  request('saveDecoded', v.strictObject({ token: count, text: v.pipe(v.string(), v.maxLength(MAX_TEXT)) })),
  request('editing', v.strictObject({ gen: count, id: v.nullable(rowId) })),
  request('selectRange', v.strictObject({ version: count, start: count, end: count })),
  request('countMatch', v.strictObject({ match: v.pipe(pattern, v.minLength(1)) })),
  request('bulk', v.strictObject({ action: v.picklist(['delete', 'setTtl', 'removeTtl', 'export']), gen: count, ids: v.optional(v.pipe(v.string(), v.maxLength(4 * 1024 * 1024), v.base64())), match: v.optional(v.pipe(pattern, v.minLength(1))) })),
  request('live', v.strictObject({ action: v.picklist(['pause', 'resume', 'recreate', 'close']) })),
]);

const messageSchema = v.variant('kind', [v.strictObject({ kind: v.literal('ready') }), v.strictObject({ kind: v.literal('drawn') }), requestSchema]);

// The schemas must produce exactly the protocol's types.
const checkMessage: v.GenericSchema<unknown, WebviewMessage> = messageSchema;

type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

export function checkWebviewMessage(input: unknown): Checked<WebviewMessage> {
  const r = v.safeParse(checkMessage, input);
  return r.success ? { ok: true, value: r.output } : { ok: false, error: v.summarize(r.issues) };
}

const stateSchema: v.GenericSchema<unknown, PersistedState> = v.object({
  connection: v.pipe(v.string(), v.minLength(1), v.maxLength(1000)),
  db: v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(100000)),
  key: v.pipe(v.string(), v.maxLength(MAX_TEXT), v.base64()),
});

/** The state a restored panel carries (from webview setState), or undefined when it is not one. */
export function checkPersistedState(input: unknown): PersistedState | undefined {
  const r = v.safeParse(stateSchema, input);
  return r.success ? { connection: r.output.connection, db: r.output.db, key: r.output.key } : undefined;
}

/** The id of a request that failed validation, so the reply can say why (else undefined). */
export function requestIdOf(input: unknown): number | undefined {
  if (input && typeof input === 'object' && 'id' in input && typeof input.id === 'number' && Number.isSafeInteger(input.id)) return input.id;
  return undefined;
}
