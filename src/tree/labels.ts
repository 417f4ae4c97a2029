import { isUtf8 } from 'node:buffer';
import { escapeBytes, preview } from '../core/codec';
import { formatBytes, formatTtl } from '../shared/format';
import type * as vscode from 'vscode';
import type { ConnectionScope } from '../connections/connectionStore';
import type { ConnectionState } from '../connections/pool';

/*
 * What the tree shows: one vocabulary of contextValues (package.json menus match on them) and
 * the texts of labels, descriptions and tooltips. Tooltips are bounded so a 10 MB value costs nothing.
 */

/** latin1 gives one char per byte: a unique, stable string for any bytes (map keys, ids). */
export function byteId(buf: Buffer): string {
  return buf.toString('latin1');
}

export function connectionContext(state: ConnectionState, readOnly: boolean, filtered: boolean, cluster = false): string {
  // '.cluster': a cluster has only database 0, so the menu offers no database selection
  return `connection.${state}${readOnly ? '.ro' : ''}${filtered ? '.filtered' : ''}${cluster ? '.cluster' : ''}`;
}

/** Where a connection is stored, on its tree item: a "workspace" tag, and a tooltip line for either place. */
export function withStorage(item: vscode.TreeItem, storage: { scope?: ConnectionScope; shadowed: boolean }): vscode.TreeItem {
  if (!storage.scope) return item;
  if (storage.scope === 'workspace') item.description = [item.description, 'workspace'].filter((d) => typeof d === 'string' && d).join(' · ');
  const lines = [`stored in ${storage.scope} settings`];
  if (storage.shadowed) lines.push('a connection of the same name in user settings is not shown: rename or remove one');
  if (typeof item.tooltip === 'string') item.tooltip = [item.tooltip, ...lines].join('\n');
  else if (item.tooltip === undefined) item.tooltip = lines.join('\n');
  return item;
}

export function folderContext(readOnly: boolean): string {
  return `folder.connected${readOnly ? '.ro' : ''}`;
}

export function keyContext(isHash: boolean, readOnly: boolean): string {
  return `${isHash ? 'hashKey' : 'key'}${readOnly ? '.ro' : ''}`;
}

/** `.fttl`: the server has field TTLs (the field menu offers Set Field TTL). */
export function fieldContext(readOnly: boolean, fieldTtl = false): string {
  return `field${fieldTtl ? '.fttl' : ''}${readOnly ? '.ro' : ''}`;
}

export const LOAD_MORE_CONTEXT = 'loadMore';
/** the row of a running key scan (its inline button stops it) */
export const SCAN_CONTEXT = 'scanning';

/** "scanned 120,000 of about 1,000,000 keys" (DBSIZE gives "about": keys come and go meanwhile). */
export function scanProgressText(p: { scanned: number; total: number | undefined }): string {
  const scanned = p.scanned.toLocaleString('en-US');
  return p.total === undefined ? `scanned ${scanned} keys` : `scanned ${scanned} of about ${p.total.toLocaleString('en-US')} keys`;
}

/** Bytes as one line of text: UTF-8 as is (control characters escaped), anything else escaped. */
export function bytesLabel(buf: Buffer, max = 200): string {
  return preview(buf, max);
}

/** Bytes as text for a tooltip or an input box: UTF-8 as is, else escaped. */
export function bytesText(buf: Buffer): string {
  return isUtf8(buf) ? buf.toString('utf8') : escapeBytes(buf);
}

export interface KeyMeta {
  /** 'hash', 'string', ... */
  type: string;
  /** HLEN, for hashes */
  fields?: number;
  /** when the key expires (ms since epoch); undefined without a TTL */
  expiresAt?: number;
}

function ttlLeft(meta: KeyMeta | undefined, now = Date.now()): number | undefined {
  if (meta?.expiresAt === undefined) return undefined;
  return Math.max(0, Math.round((meta.expiresAt - now) / 1000));
}

export function keyDescription(meta: KeyMeta | undefined): string {
  if (!meta) return '';
  const parts: string[] = [];
  if (meta.type === 'hash') {
    if (meta.fields !== undefined) parts.push(`${meta.fields.toLocaleString('en-US')} ${meta.fields === 1 ? 'field' : 'fields'}`);
  } else {
    parts.push(meta.type);
  }
  const ttl = ttlLeft(meta);
  if (ttl !== undefined) parts.push(`TTL ${formatTtl(ttl)}`);
  return parts.join(' · ');
}

export function keyTooltip(key: Buffer, meta: KeyMeta | undefined): string {
  const lines = [bytesLabel(key, 500), `type: ${meta?.type ?? 'unknown'}`];
  if (meta?.fields !== undefined) lines.push(`fields: ${meta.fields.toLocaleString('en-US')}`);
  const ttl = ttlLeft(meta);
  lines.push(ttl === undefined ? 'no TTL' : `expires in ${formatTtl(ttl)}`);
  return lines.join('\n');
}

const TOOLTIP_VALUE_CHARS = 1000;

/** `expiresAt`: ms since epoch, null without a TTL, undefined where the server has no field TTLs. */
export function fieldTooltip(field: Buffer, value: Buffer, expiresAt?: number | null, now = Date.now()): string {
  const utf8 = isUtf8(value);
  const bytes = value.subarray(0, utf8 ? TOOLTIP_VALUE_CHARS * 4 : TOOLTIP_VALUE_CHARS);
  let text = utf8 ? bytes.toString('utf8') : escapeBytes(bytes);
  let cut = bytes.length < value.length;
  if (text.length > TOOLTIP_VALUE_CHARS) {
    text = text.slice(0, TOOLTIP_VALUE_CHARS);
    cut = true;
  }
  const ttl = expiresAt === undefined ? '' : expiresAt === null ? '\nno TTL' : `\nexpires in ${formatTtl(Math.max(0, Math.round((expiresAt - now) / 1000)))}`;
  return `${bytesLabel(field, 300)}\n${formatBytes(value.length)}${utf8 ? '' : ', binary (shown escaped)'}${ttl}\n\n${text}${cut ? '…' : ''}`;
}

/** What fits a row of a sidebar of normal width (about 300 px) beside a short name. */
const ROW_CHARS = 32;

/**
 * An address for a row's description: as it is when short, else its host cut in the middle so the port and
 * both ends of the host stay ("redis-12…labs.com:12345"). The whole address is in the tooltip.
 */
export function shortAddress(address: string, max = 24): string {
  if (address.length <= max) return address;
  const colon = address.lastIndexOf(':');
  const port = colon > 0 ? address.slice(colon) : '';
  const host = colon > 0 ? address.slice(0, colon) : address;
  const room = Math.max(6, max - port.length - 1);
  const head = Math.ceil(room / 2);
  return `${host.slice(0, head)}…${host.slice(host.length - (room - head))}${port}`;
}

/**
 * A message row's label: its first sentence, cut at a word to fit the row. The whole text is shown at the top
 * of the view (TreeView.message, which wraps) and in the tooltip.
 */
export function shortMessage(text: string, max = ROW_CHARS): string {
  // "Connection refused (127.0.0.1:6379). Is Redis running there?" -> "Connection refused."
  const plain = text.replace(/\s*\([^()]*\)/g, '');
  const first = /^(.+?[.!?])(\s|$)/.exec(plain)?.[1] ?? plain;
  if (first.length <= max) return first;
  const cut = first.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max / 2 ? cut.slice(0, space) : cut}…`;
}
