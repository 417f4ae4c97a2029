import type { RedisConnection } from '../core/connection';
import { RedisExplorerError } from '../core/errors';
import type { BaseServices } from '../services';
import { nameForMessage } from '../core/codec';
import type { ConnectionNode, FieldNode, KeyNode, TreeNode } from '../tree/nodes';
import { byteId } from '../tree/nodes';
import { orCancel } from './cancel';
import type { CommandTarget } from './target';
import { asPlainTarget, required } from './target';

/*
 * What a command acts on, from any of its three callers: a tree node (and the multi-selection),
 * a plain-object target from executeCommand (asks nothing), or nothing (the palette: it asks).
 */

export interface ConnTarget {
  connection: string;
  db: number;
  /** a plain-object call: never prompt, never confirm */
  scripted: boolean;
  plain?: CommandTarget;
}

export interface KeyTarget extends ConnTarget {
  key: Buffer;
  node?: KeyNode;
}

interface FieldTarget extends KeyTarget {
  field: Buffer;
  fieldNode?: FieldNode;
}

const NODE_KINDS = new Set(['connection', 'folder', 'key', 'field', 'loadMore', 'scan', 'message']);

export function asNode(arg: unknown): TreeNode | undefined {
  if (!arg || typeof arg !== 'object' || Object.getPrototypeOf(arg) === Object.prototype) return undefined;
  const kind = (arg as { kind?: unknown }).kind;
  return typeof kind === 'string' && NODE_KINDS.has(kind) ? (arg as TreeNode) : undefined;
}

/** The connection node a tree node belongs to. */
export function connectionOf(node: TreeNode | undefined): ConnectionNode | undefined {
  if (!node) return undefined;
  if (node.kind === 'connection') return node;
  if (node.kind === 'folder' || node.kind === 'key' || node.kind === 'field') return node.conn;
  return connectionOf(node.parent);
}

/** The nodes of one kind a command acts on: the multi-selection when the clicked node is part of it. */
export function selectedNodes<K extends TreeNode['kind']>(arg: unknown, selection: unknown, kind: K): Extract<TreeNode, { kind: K }>[] {
  const clicked = asNode(arg);
  const list = Array.isArray(selection) && clicked && selection.includes(clicked) ? selection : clicked ? [clicked] : [];
  return list.map(asNode).filter((n): n is Extract<TreeNode, { kind: K }> => n?.kind === kind);
}

async function pickConnection(services: BaseServices, title: string): Promise<string> {
  const { profiles } = services.store.read();
  if (profiles.length === 0) throw new RedisExplorerError('NOT_FOUND', 'No Redis connection yet: add one with "Redis: Add Connection".');
  if (profiles.length === 1) return profiles[0].name;
  const picked = await services.prompts.pick(
    profiles.map((p) => ({ label: p.name, description: `${p.host}:${p.port}${p.readOnly ? ' · read-only' : ''}` })),
    { title, placeHolder: 'Connection' },
  );
  return orCancel(picked).label;
}

export async function connectionTarget(services: BaseServices, arg: unknown, title: string): Promise<ConnTarget> {
  const plain = asPlainTarget(arg);
  if (plain) {
    services.store.get(plain.connection);
    return { connection: plain.connection, db: plain.db ?? services.pool.selectedDb(plain.connection), scripted: true, plain };
  }
  const node = connectionOf(asNode(arg));
  if (node) return { connection: node.name, db: node.session.db, scripted: false };
  const connection = await pickConnection(services, title);
  return { connection, db: services.pool.selectedDb(connection), scripted: false };
}

export function client(services: BaseServices, t: { connection: string; db: number }): Promise<RedisConnection> {
  return services.pool.get(t.connection, t.db);
}

/** A key: from a key node, the plain object's `key`, or picked from SCAN pages. */
export async function keyTarget(services: BaseServices, arg: unknown, commandId: string, title: string, hashesOnly: boolean): Promise<KeyTarget> {
  const node = asNode(arg);
  if (node?.kind === 'key') return { connection: node.conn.name, db: node.conn.session.db, scripted: false, key: node.key, node };
  if (node?.kind === 'field') return { connection: node.conn.name, db: node.conn.session.db, scripted: false, key: node.parent.key, node: node.parent };
  const t = await connectionTarget(services, arg, title);
  if (t.plain) return { ...t, key: Buffer.from(required(t.plain, 'key', commandId), 'utf8') };
  const conn = await client(services, t);
  const key = orCancel(await services.prompts.pickKey(conn, { hashesOnly, title }));
  return { ...t, key };
}

/** A field: from a field node, the plain object's `key` and `field`, or picked (key, then field). */
export async function fieldTarget(services: BaseServices, arg: unknown, commandId: string, title: string): Promise<FieldTarget> {
  const node = asNode(arg);
  if (node?.kind === 'field') {
    return { connection: node.conn.name, db: node.conn.session.db, scripted: false, key: node.parent.key, node: node.parent, field: node.field, fieldNode: node };
  }
  const plain = asPlainTarget(arg);
  if (plain) {
    const t = await keyTarget(services, arg, commandId, title, true);
    return { ...t, field: Buffer.from(required(plain, 'field', commandId), 'utf8') };
  }
  const t = await keyTarget(services, arg, commandId, title, true);
  const conn = await client(services, t);
  const noValues = services.pool.status(t.connection).info?.capabilities.hscanNoValues === true;
  const field = orCancel(await services.prompts.pickField(conn, t.key, { title, noValues }));
  return { ...t, field };
}

/**
 * The tree node a scripted `{ connection, key? }` names: the connection (undefined while the view has
 * not shown it), or a hash key the tree has loaded (rejected when it has not).
 */
export function loadedNode(services: BaseServices, plain: CommandTarget): ConnectionNode | KeyNode | undefined {
  services.store.get(plain.connection);
  const conn = services.tree.connectionNode(plain.connection);
  if (!conn || plain.key === undefined) return conn;
  const node = conn.session.keyNodes.get(byteId(Buffer.from(plain.key, 'utf8')));
  if (!node) throw new RedisExplorerError('NOT_FOUND', `Key "${nameForMessage(Buffer.from(plain.key))}" is not loaded in the tree.`);
  return node;
}

