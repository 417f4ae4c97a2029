import { RedisExplorerError } from '../core/errors';

/**
 * The plain object every command accepts from `executeCommand(id, target)`. Such a call asks nothing:
 * what it needs must be in the object, else it rejects with a message saying what is missing.
 */
export interface CommandTarget {
  connection: string;
  db?: number;
  key?: string;
  field?: string;
  value?: string;
  newName?: string;
  ttl?: number;
  /** a file path (export, import) */
  path?: string;
  /** json, ndjson, csv (and redis for exports); from the path's extension when absent */
  format?: string;
  /** import: skip (the default), overwrite or compareAndSet */
  policy?: string;
  /** a tree folder: the key prefix, separator included ("user:") */
  prefix?: string;
  /** bulk field actions: the fields' names (or `match`) */
  fields?: string[];
  /** bulk field actions: every field matching this HSCAN MATCH pattern (or `fields`) */
  match?: string;
}

const STRING_PROPS = ['key', 'field', 'value', 'newName', 'path', 'format', 'policy', 'prefix', 'match'] as const;

/*
 * What each command takes from a scripted call besides `connection`: anything else is refused, so an
 * argument is never ignored or read as something else (`setTtl` with a `field` does not set the key's TTL).
 * Commands not listed here (addConnection, editConnection) check their own shapes.
 */
const TAKES: Record<string, readonly string[]> = {
  removeConnection: [],
  disconnect: [],
  retryConnection: [],
  clearFilter: [],
  selectDatabase: ['db'],
  filterKeys: ['value'],
  refresh: ['key'],
  loadMore: ['key'],
  stopScan: [],
  addHash: ['db', 'key', 'field', 'value'],
  deleteKey: ['db', 'key'],
  renameKey: ['db', 'key', 'newName'],
  setTtl: ['db', 'key', 'ttl'],
  copyKeyName: ['db', 'key'],
  openHashEditor: ['db', 'key'],
  addField: ['db', 'key', 'field', 'value', 'ttl'],
  editField: ['db', 'key', 'field', 'value'],
  renameField: ['db', 'key', 'field', 'newName'],
  deleteField: ['db', 'key', 'field'],
  copyValue: ['db', 'key', 'field'],
  setFieldTtl: ['db', 'key', 'field', 'ttl'],
  exportHash: ['db', 'key', 'path', 'format'],
  importHash: ['db', 'key', 'path', 'format', 'policy'],
  exportFolder: ['db', 'prefix', 'path', 'format'],
  deleteFolder: ['db', 'prefix'],
  copyKeyAsCommands: ['db', 'key'],
  deleteFields: ['db', 'key', 'fields', 'match'],
  setFieldsTtl: ['db', 'key', 'fields', 'match', 'ttl'],
  exportFields: ['db', 'key', 'fields', 'match', 'path', 'format'],
};

const HINTS: Record<string, string> = {
  'setTtl field': ' To set the TTL of a field, use redisHashExplorer.setFieldTtl.',
};

/** Refuses a scripted argument the command does not take, naming what it takes. */
export function checkTakes(commandId: string, arg: unknown): void {
  const verb = commandId.replace(/^redisHashExplorer\./, '');
  const takes = TAKES[verb];
  if (!takes || !asPlainTarget(arg)) return;
  const extra = Object.keys(arg as object).filter((p) => p !== 'connection' && !takes.includes(p));
  if (extra.length === 0) return;
  const names = extra.map((p) => `"${p}"`).join(', ');
  throw new RedisExplorerError(
    'INVALID',
    `${commandId} does not take ${names} (it takes: ${['connection', ...takes].join(', ')}); nothing was done.${HINTS[`${verb} ${extra[0]}`] ?? ''}`,
  );
}

/** The plain-object target, validated; undefined when `arg` is not one (a tree node, or nothing). */
export function asPlainTarget(arg: unknown): CommandTarget | undefined {
  if (!arg || typeof arg !== 'object' || Object.getPrototypeOf(arg) !== Object.prototype) return undefined;
  const o = arg as Record<string, unknown>;
  if (typeof o.connection !== 'string' || !o.connection) {
    throw new RedisExplorerError('INVALID', 'The command argument needs a "connection" name (a string).');
  }
  for (const p of STRING_PROPS) {
    if (o[p] !== undefined && typeof o[p] !== 'string') throw new RedisExplorerError('INVALID', `"${p}" must be a string.`);
  }
  if (o.fields !== undefined && (!Array.isArray(o.fields) || o.fields.length === 0 || o.fields.length > 1_000_000 || !o.fields.every((f) => typeof f === 'string'))) {
    throw new RedisExplorerError('INVALID', '"fields" must be a non-empty list of field names (strings).');
  }
  if (o.db !== undefined && (!Number.isInteger(o.db) || (o.db as number) < 0)) throw new RedisExplorerError('INVALID', '"db" must be a whole number ≥ 0.');
  if (o.ttl !== undefined && (!Number.isInteger(o.ttl) || (o.ttl as number) < -1)) throw new RedisExplorerError('INVALID', '"ttl" must be a whole number of seconds (-1 or 0 removes the TTL).');
  return o as unknown as CommandTarget;
}

/** The value of a required property of a scripted call, or a clear rejection naming it. */
export function required<K extends keyof CommandTarget>(t: CommandTarget, prop: K, commandId: string): NonNullable<CommandTarget[K]> {
  const v = t[prop];
  if (v === undefined || v === null) throw new RedisExplorerError('INVALID', `${commandId} needs "${String(prop)}" in its argument.`);
  return v as NonNullable<CommandTarget[K]>;
}
