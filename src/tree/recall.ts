import type * as vscode from 'vscode';
import type { RedisConnection } from '../core/connection';
import { toExplorerError } from '../core/errors';
import { keyTypes } from '../core/keyOps';
import { log } from '../log';
import { byteId } from './labels';

/*
 * The hash keys a connection showed, remembered in the workspace's state: on the next expand (VS Code reopened,
 * a reconnect) they are checked with one pipeline of TYPE and those still hashes show at once, while the scan
 * runs as ever. On a big database where hashes are rare the scan may walk hundreds of thousands of keys before
 * it meets the first one; the names it met last time need one round trip.
 *
 * Per connection, database and key filter: the first MAX_NAMES names the scan met (16 KB at most; those of the
 * last time still hashes first), as base64. Forgotten when the connection is removed or edited, or on Refresh of it.
 */

/** Names kept per connection, database and filter. */
const MAX_NAMES = 100;
/** Connection/database/filter entries kept; the ones used longest ago go first. */
const MAX_SLOTS = 32;
/** Bytes of names kept per entry, and the longest name kept: the state is read whole at startup. */
const MAX_BYTES = 16 * 1024;
const MAX_NAME_BYTES = 1024;
const STATE_KEY = 'redisHashExplorer.rememberedKeys';

/** What a list of names belongs to. `where`: the connection's address; names of another address are not used. */
interface MemorySlot {
  connection: string;
  db: number;
  filter: string | undefined;
  where: string;
}

interface Entry {
  connection: string;
  db: number;
  filter: string | null;
  where: string;
  names: string[];
  at: number;
}

type Entries = Record<string, Entry>;

function slotKey(s: MemorySlot): string {
  return JSON.stringify([s.connection, s.db, s.filter ?? null]);
}

/** The remembered names of every connection, in a Memento (the workspace's state). */
export class KeyMemory {
  /** bumped by every forget (per connection; `all` for all): a session's save of names read before is dropped */
  private readonly forgets = new Map<string, number>();
  private all = 0;

  constructor(private readonly state: vscode.Memento) {}

  /** Changes when the connection's names are forgotten. */
  era(connection: string): string {
    return `${this.all}:${this.forgets.get(connection) ?? 0}`;
  }

  private entries(): Entries {
    const e = this.state.get<Entries>(STATE_KEY);
    return e && typeof e === 'object' ? e : {};
  }

  /** The names remembered for the slot (none when its address changed meanwhile). */
  recall(slot: MemorySlot): Buffer[] {
    const e = this.entries()[slotKey(slot)];
    if (!e || e.where !== slot.where || !Array.isArray(e.names)) return [];
    return e.names.filter((n) => typeof n === 'string').map((n) => Buffer.from(n, 'base64'));
  }

  /** Saves the slot's names, unless they were forgotten since `era`. */
  save(slot: MemorySlot, names: Buffer[], era: string): void {
    if (era !== this.era(slot.connection)) return;
    const all = { ...this.entries() };
    const key = slotKey(slot);
    if (names.length === 0) delete all[key];
    else all[key] = { connection: slot.connection, db: slot.db, filter: slot.filter ?? null, where: slot.where, names: names.map((n) => n.toString('base64')), at: Date.now() };
    const keys = Object.keys(all);
    if (keys.length > MAX_SLOTS) {
      keys.sort((a, b) => all[a].at - all[b].at);
      for (const k of keys.slice(0, keys.length - MAX_SLOTS)) delete all[k];
    }
    this.write(all);
  }

  /** Forgets a connection's names: of one database, or of all (undefined). */
  forget(connection: string, db?: number): void {
    this.forgets.set(connection, (this.forgets.get(connection) ?? 0) + 1);
    const all = this.entries();
    const left = Object.fromEntries(Object.entries(all).filter(([, e]) => e.connection !== connection || (db !== undefined && e.db !== db)));
    if (Object.keys(left).length !== Object.keys(all).length) this.write(left);
  }

  forgetAll(): void {
    this.all++;
    if (Object.keys(this.entries()).length) this.write({});
  }

  private write(all: Entries): void {
    this.state.update(STATE_KEY, Object.keys(all).length ? all : undefined).then(undefined, (err: unknown) => {
      log.warn(`remembering the tree's keys failed: ${toExplorerError(err).message}`);
    });
  }
}

/**
 * One session's side of the memory: the names to remember (kept up to date as the scan meets keys and keys go),
 * and the remembered keys shown, so the scan does not add them a second time (a folder's count would say 2).
 */
export class Recollection {
  private readonly names = new Map<string, Buffer>();
  /** bytes of `names` */
  private bytes = 0;
  /** remembered keys put in the tree, by id; `lengths` lets most scanned keys skip making an id */
  private readonly shown = new Set<string>();
  private readonly lengths = new Set<number>();
  private saving = false;
  private readonly era: string;

  constructor(
    private readonly memory: KeyMemory,
    private readonly slot: MemorySlot,
    /** the scan hands over hashes only (SCAN TYPE hash), or every key is shown: its keys are worth remembering */
    private readonly record: boolean,
  ) {
    this.era = memory.era(slot.connection);
  }

  /** The names remembered last time. */
  remembered(): Buffer[] {
    return this.memory.recall(this.slot);
  }

  /**
   * Checks remembered names with one pipeline of TYPE; returns those to show now: hashes (`onlyHashes`) or
   * existing keys. They go first in what is remembered; the others are forgotten. Sent before the scan's first
   * SCAN on the same client, so its reply comes first.
   */
  async check(conn: RedisConnection, names: Buffer[], onlyHashes: boolean): Promise<Buffer[]> {
    if (names.length === 0) return [];
    let types: Array<string | undefined>;
    try {
      types = await keyTypes(conn, names);
    } catch (err) {
      // the scan shows them when it meets them; a failing connection is reported by the scan
      log.warn(`${this.slot.connection}: checking the remembered keys failed: ${toExplorerError(err).message}`);
      return [];
    }
    const valid = names.filter((_, i) => (onlyHashes ? types[i] === 'hash' : types[i] !== undefined && types[i] !== 'none'));
    const met = [...this.names.values()];
    this.names.clear();
    this.bytes = 0;
    for (const k of [...valid, ...met]) this.note(k);
    this.persist();
    return valid;
  }

  /** Remembered keys were put in the tree: the scan's pages leave them out from now on. */
  showed(keys: Buffer[]): void {
    for (const k of keys) {
      this.shown.add(byteId(k));
      this.lengths.add(k.length);
    }
  }

  /** A page of the scan: noted (up to MAX_NAMES); returns the keys not already shown from memory. */
  scanned(keys: Buffer[]): Buffer[] {
    let grew = false;
    if (this.record) for (let i = 0; i < keys.length && !this.full(); i++) grew = this.note(keys[i]) || grew;
    if (grew) this.persist();
    if (this.shown.size === 0) return keys;
    return keys.filter((k) => !this.lengths.has(k.length) || !this.shown.has(byteId(k)));
  }

  /** A key left the tree (deleted, no longer a hash): not remembered, and the scan may show it again. */
  dropped(key: Buffer): void {
    const id = byteId(key);
    this.shown.delete(id);
    if (!this.names.delete(id)) return;
    this.bytes -= key.length;
    this.persist();
  }

  private full(): boolean {
    return this.names.size >= MAX_NAMES || this.bytes >= MAX_BYTES;
  }

  /** Adds a name to remember, if there is room; true when it was added. */
  private note(key: Buffer): boolean {
    if (this.full() || key.length > MAX_NAME_BYTES || this.bytes + key.length > MAX_BYTES) return false;
    const id = byteId(key);
    if (this.names.has(id)) return false;
    this.names.set(id, key);
    this.bytes += key.length;
    return true;
  }

  /** One write per turn of the event loop, however many pages came in it. */
  private persist(): void {
    if (this.saving) return;
    this.saving = true;
    setTimeout(() => {
      this.saving = false;
      this.memory.save(this.slot, [...this.names.values()], this.era);
    }, 0);
  }
}
