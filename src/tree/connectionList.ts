import { sameProfile, type ConnectionProfile } from '../core/profile';
import type { ConnectionStore } from '../connections/connectionStore';
import type { ConnectionPool } from '../connections/pool';
import type { TreeSettings } from './loading';
import { ConnectionNode, ConnectionSession } from './nodes';

/**
 * The tree's top level: a node per configured connection, kept while its profile is the same (its
 * expanded state and loaded keys stay), and the problems reading the settings found.
 */
export class ConnectionList {
  private nodes: ConnectionNode[] = [];
  private readonly byName = new Map<string, ConnectionNode>();
  private generation = 0;
  /** what was wrong in the settings (shown as rows under the connections) */
  problems: string[] = [];

  constructor(
    private readonly store: ConnectionStore,
    private readonly pool: ConnectionPool,
    private readonly settings: () => TreeSettings,
  ) {
    this.read();
  }

  get(name: string): ConnectionNode | undefined {
    return this.byName.get(name);
  }

  all(): readonly ConnectionNode[] {
    return this.nodes;
  }

  /** Reads the profiles again; a changed or removed connection's scan stops. Returns the names of those. */
  read(): string[] {
    const { profiles, problems } = this.store.read();
    this.problems = problems;
    const settings = this.settings();
    const next: ConnectionNode[] = [];
    for (const p of profiles) {
      const old = this.byName.get(p.name);
      // An edited one (a trusted SSH host key too) starts over under the same id: VS Code keeps it expanded, and it
      // connects again in place, rather than folding up for the user to open once more.
      next.push(old && sameProfile(old.profile, p) ? old : this.newNode(p, settings, old?.generation));
    }
    const dropped = [...this.byName.values()].filter((old) => !next.includes(old));
    for (const old of dropped) old.session.scan?.stop();
    this.byName.clear();
    for (const n of next) this.byName.set(n.name, n);
    this.nodes = next;
    return dropped.map((n) => n.name);
  }

  /**
   * A fresh node in place of a connection's: nothing loaded, in database `db` (default: the pool's). `keepId`: the
   * same id, so VS Code keeps it expanded (a settings change); else a new one, shown collapsed (a disconnect).
   */
  renew(name: string, db?: number, keepId = false): void {
    const old = this.byName.get(name);
    if (!old) return;
    const settings = this.settings();
    const session = new ConnectionSession(db ?? this.pool.selectedDb(name), old.profile.separator ?? settings.separator, settings.order);
    const node = new ConnectionNode(old.profile, session, keepId ? old.generation : ++this.generation);
    old.session.scan?.stop();
    this.byName.set(name, node);
    this.nodes = this.nodes.map((n) => (n === old ? node : n));
  }

  private newNode(p: ConnectionProfile, settings: TreeSettings, generation = ++this.generation): ConnectionNode {
    return new ConnectionNode(p, new ConnectionSession(this.pool.selectedDb(p.name), p.separator ?? settings.separator, settings.order), generation);
  }
}
