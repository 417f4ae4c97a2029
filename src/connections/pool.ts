import * as vscode from 'vscode';
import { RedisConnection } from '../core/connection';
import type { ConnectOptions } from '../core/connection';
import { sameProfile, type ConnectionProfile } from '../core/profile';
import { toExplorerError } from '../core/errors';
import { getServerInfo } from '../core/serverInfo';
import { SshError, SshTunnel } from '../core/sshTunnel';
import type { ServerInfo } from '../core/serverInfo';
import { log } from '../log';
import type { ConnectionSecrets, ConnectionStore } from './connectionStore';

/** 'reconnecting': a connection that worked was lost; its clients reconnect by themselves. */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed';

/** What a client or tunnel was opened with: the profile, and the connection's secrets version (ConnectionStore). */
interface OpenedWith {
  profile: ConnectionProfile;
  secrets: number;
}

export interface ConnectionStatus {
  state: ConnectionState;
  /** the message of the last failure, when failed or reconnecting */
  error?: string;
  info?: ServerInfo;
  /** the SSH connection to the bastion was lost (its clients reconnect through a new one) */
  sshLost?: boolean;
}

/**
 * Open clients, one per connection and database, opened lazily and shared by the tree,
 * the commands and the hash editor. Which database a connection shows is kept here for the session.
 */
export class ConnectionPool implements vscode.Disposable {
  private readonly clients = new Map<string, Promise<RedisConnection>>();
  /** through SSH: the one tunnel every client of a connection shares (per db, watch links), by name */
  private readonly tunnels = new Map<string, Promise<SshTunnel>>();
  /** what each tunnel was opened with: an edited or removed connection, or a changed secret, closes it */
  private readonly tunnelsOpened = new Map<string, OpenedWith>();
  /** the secrets version each client was opened with */
  private readonly clientSecrets = new WeakMap<RedisConnection, number>();
  private readonly statuses = new Map<string, ConnectionStatus>();
  private readonly selectedDbs = new Map<string, number>();
  /** connections already told they point at a cluster node */
  private readonly offeredCluster = new Set<string>();
  private readonly changed = new vscode.EventEmitter<string>();
  /** fires the connection name whose state or database changed */
  readonly onDidChangeState = this.changed.event;
  private readonly reconnected = new vscode.EventEmitter<{ name: string; db: number }>();
  /** fires when a client that had lost its connection is connected again: what it shows may be stale */
  readonly onDidReconnect = this.reconnected.event;
  private readonly hostKeyEmitter = new vscode.EventEmitter<{ name: string; error: SshError }>();
  /** fires when a connect failed on the SSH server's host key (not trusted yet, or changed): the user may trust it */
  readonly onHostKeyProblem = this.hostKeyEmitter.event;
  private readonly clusterNodeEmitter = new vscode.EventEmitter<string>();
  /** fires (once per connection and session) when a standalone connection is connected to a node of a cluster */
  readonly onClusterNodeFound = this.clusterNodeEmitter.event;
  private readonly staleEmitter = new vscode.EventEmitter<string>();
  /** fires when clients opened with a connection's old settings or secrets were closed (others may be open already) */
  readonly onDidCloseStale = this.staleEmitter.event;
  /** timeouts and reconnect pacing of the clients opened from now on (tests shorten them) */
  connectOptions: Omit<ConnectOptions, 'password' | 'db' | 'tunnel'> & { sshKeepaliveMs?: number } = {};
  private readonly storeSub: vscode.Disposable;
  private readonly secretsSub: vscode.Disposable;

  constructor(private readonly store: ConnectionStore) {
    // An edited or removed profile must not keep using a client opened with the old settings; a client the tree
    // opens with the new ones on this same event stays.
    this.storeSub = store.onDidChange(() => {
      const names = new Set([...this.clients.keys()].map((id) => id.split('\u0000')[0]));
      for (const name of this.tunnelsOpened.keys()) names.add(name);
      for (const name of names) void this.closeStale(name);
    });
    // a password changed in another window: the clients opened with the old one go (they would fail on reconnect)
    this.secretsSub = store.onDidChangeSecretsElsewhere((name) => void this.closeStale(name));
  }

  status(name: string): ConnectionStatus {
    return this.statuses.get(name) ?? { state: 'idle' };
  }

  /** The database the tree shows for this connection (the profile's until the user selects another). */
  selectedDb(name: string): number {
    return this.selectedDbs.get(name) ?? this.store.get(name).db ?? 0;
  }

  selectDb(name: string, db: number): void {
    this.selectedDbs.set(name, db);
    this.changed.fire(name);
  }

  /** A ready client for the connection and database (the selected one by default). */
  get(name: string, db?: number): Promise<RedisConnection> {
    const profile = this.store.get(name);
    const theDb = db ?? this.selectedDb(name);
    const id = `${name}\u0000${theDb}`;
    const existing = this.clients.get(id);
    if (existing) {
      return existing.then(async (c) => {
        if (c.status === 'end') {
          if (this.clients.get(id) === existing) this.clients.delete(id);
          return this.get(name, theDb);
        }
        // opened with settings or secrets changed since (asked for before they were closed): not for new work
        if (!this.isCurrent(name, { profile: c.profile, secrets: this.clientSecrets.get(c) ?? -1 })) {
          await this.closeStale(name);
          return this.get(name, theDb);
        }
        return c;
      });
    }
    const before = this.status(name);
    this.setStatus(name, { state: 'connecting' });
    const opening = (async () => {
      const secrets = this.store.secretsVersion(name);
      const conn = await RedisConnection.open(profile, { ...(await this.openOptions(name)), db: theDb });
      this.clientSecrets.set(conn, secrets);
      this.follow(name, theDb, conn, () => this.clients.get(id) === opening && this.clients.delete(id));
      let info: ServerInfo | undefined;
      try {
        info = await getServerInfo(conn);
      } catch (err) {
        log.warn(`[${name}] cannot read server info: ${toExplorerError(err).message}`);
      }
      return { conn, info };
    })().then(
      ({ conn, info }) => {
        log.info(`[${name}] connected to ${conn.where} db ${theDb}${info ? ` (Redis ${info.version}, ${info.mode})` : ''}`);
        this.setStatus(name, { state: 'connected', info });
        if (info?.mode === 'cluster' && conn.kind === 'standalone') this.clusterNodeFound(conn);
        return conn;
      },
      (err: unknown) => {
        this.clients.delete(id);
        const e = toExplorerError(err);
        log.error(`[${name}] connection to db ${theDb} failed: ${e.message}`);
        if (e instanceof SshError && e.fingerprint) this.hostKeyEmitter.fire({ name, error: e });
        // A database the server lacks is that call's mistake: the connection itself is as it was.
        if (e.code === 'INVALID' && theDb !== this.selectedDb(name)) this.setStatus(name, before);
        else this.setStatus(name, { state: 'failed', error: e.message });
        throw e;
      },
    );
    this.clients.set(id, opening);
    return opening;
  }

  /** What every client of the connection opens with: its secrets and, through SSH, the connection's one tunnel. */
  async openOptions(name: string): Promise<ConnectOptions> {
    const profile = this.store.get(name);
    const opened = { profile, secrets: this.store.secretsVersion(name) };
    const secrets = await this.store.secretsOf(profile);
    const tunnel = profile.ssh ? await this.tunnel(opened, secrets) : undefined;
    return { ...this.connectOptions, ...secrets, tunnel };
  }

  /** The connection's tunnel, opened with its first client; a failed open is forgotten (the next use tries again). */
  private tunnel(opened: OpenedWith, secrets: ConnectionSecrets): Promise<SshTunnel> {
    const profile = opened.profile;
    const name = profile.name;
    let pending = this.tunnels.get(name);
    if (pending) return pending;
    const ssh = profile.ssh as NonNullable<ConnectionProfile['ssh']>;
    pending = SshTunnel.open(ssh, { password: secrets.sshPassword, passphrase: secrets.sshPassphrase }, {
      readyTimeoutMs: Math.max(this.connectOptions.connectTimeoutMs ?? 5000, 10000),
      keepaliveIntervalMs: this.connectOptions.sshKeepaliveMs,
      log: (line) => log.info(`[${name}] ${line}`),
    });
    const mine = pending;
    this.tunnels.set(name, mine);
    this.tunnelsOpened.set(name, opened);
    mine.then(
      (t) => t.onConnectionLost((err) => this.sshLost(name, err)),
      () => {
        if (this.tunnels.get(name) !== mine) return;
        this.tunnels.delete(name);
        this.tunnelsOpened.delete(name);
      },
    );
    return mine;
  }

  /** The SSH connection dropped: said in the tree until a client is through again (each reconnect re-opens it). */
  private sshLost(name: string, err: SshError): void {
    const now = this.status(name);
    const error = `SSH lost: ${err.message.replace(/^SSH: /, '')} Reconnecting through a new SSH connection…`;
    // Each failed reconnect says it again: only a new reason is news.
    if ((now.state !== 'connected' && now.state !== 'reconnecting') || (now.sshLost && now.error === error)) return;
    this.setStatus(name, { ...now, state: 'reconnecting', sshLost: true, error });
  }

  /** Keeps the status in step with a client: lost (reconnecting), back (connected, stale views told), given up (failed). */
  private follow(name: string, db: number, conn: RedisConnection, drop: () => void): void {
    let lost = false;
    conn.onState((state) => {
      if (state === 'lost') {
        if (!lost) log.warn(`[${name}] lost the connection to ${conn.where} (db ${db}); reconnecting`);
        lost = true;
        const now = this.status(name).state;
        if (now === 'connected' || now === 'reconnecting') {
          const was = this.status(name);
          // An SSH loss says more than "lost": keep its words while the clients retry through the tunnel.
          this.setStatus(name, { ...was, state: 'reconnecting', error: was.sshLost ? was.error : `The connection to ${conn.where} was lost; reconnecting…` });
        }
      } else if (state === 'ready') {
        if (!lost) return;
        const back = () => {
          if (!lost) return;
          lost = false;
          log.info(`[${name}] reconnected to ${conn.where} (db ${db})`);
          if (this.status(name).state === 'reconnecting') this.setStatus(name, { state: 'connected', info: this.status(name).info });
          this.reconnected.fire({ name, db });
        };
        // Through SSH the client's socket to the tunnel connects before the SSH connection is back: it is
        // back once a PING has gone through (a failed one is followed by another reconnect).
        if (!conn.profile.ssh) return back();
        conn.run((c) => c.ping()).then(back, () => undefined);
      } else {
        drop();
        const now = this.status(name).state;
        if (now === 'connected' || now === 'reconnecting') {
          const error = conn.failure?.message ?? `The connection to ${conn.where} was closed.`;
          log.error(`[${name}] ${error}`);
          this.setStatus(name, { state: 'failed', error });
        }
      }
    });
  }

  /** Once per connection and session: a standalone connection reached a node of a cluster (a command offers the switch). */
  private clusterNodeFound(conn: RedisConnection): void {
    const name = conn.profile.name;
    if (this.offeredCluster.has(name)) return;
    this.offeredCluster.add(name);
    log.warn(`[${name}] ${conn.where} is a node of a Redis Cluster (cluster_enabled:1), but the connection is standalone`);
    this.clusterNodeEmitter.fire(name);
  }

  /** Makes a standalone connection a cluster one seeded by its host:port (database 0; every other setting kept). */
  async switchToCluster(name: string): Promise<void> {
    const current = this.store.get(name);
    const next: ConnectionProfile = { ...current, kind: 'cluster', nodes: [{ host: current.host, port: current.port }], db: undefined };
    this.selectedDbs.delete(name);
    await this.store.save(next, { previousName: name });
    // Only the standalone clients go: the tree may have opened the cluster client already (on the change event),
    // and closing it would fail the listing it started.
    await this.closeStale(name);
  }

  /**
   * Closes the connection's clients opened with settings or secrets that are not the current ones (every client
   * when its tunnel was: they all go through it). The others stay: one the tree has just opened keeps listing.
   */
  async closeStale(name: string): Promise<void> {
    const tunnel = this.tunnelsOpened.get(name);
    if (tunnel && !this.isCurrent(name, tunnel)) return this.disconnect(name);
    const mine = [...this.clients].filter(([id]) => id.startsWith(`${name}\u0000`));
    const opened = await Promise.all(mine.map(async ([id, pending]) => ({ id, pending, conn: await pending.catch(() => undefined) })));
    const stale = opened.filter(({ conn }) => conn && !this.isCurrent(name, { profile: conn.profile, secrets: this.clientSecrets.get(conn) ?? -1 }));
    // each closed once, by whoever takes it out of the map (a change event and a command may both ask)
    const taken = stale.filter(({ id, pending }) => this.clients.get(id) === pending && this.clients.delete(id));
    if (taken.length === 0) return;
    await Promise.all(taken.map(({ conn }) => conn?.close()));
    if (![...this.clients.keys()].some((id) => id.startsWith(`${name}\u0000`))) this.setStatus(name, { state: 'idle' });
    this.staleEmitter.fire(name);
  }

  /** Whether what a client or tunnel was opened with is the connection's current profile and secrets. */
  private isCurrent(name: string, opened: OpenedWith): boolean {
    const now = this.store.has(name) ? this.store.get(name) : undefined;
    return !!now && sameProfile(opened.profile, now) && opened.secrets === this.store.secretsVersion(name);
  }

  /** Re-reads INFO (key counts per database, for the database picker). */
  async refreshInfo(name: string): Promise<ServerInfo> {
    const conn = await this.get(name);
    const info = await getServerInfo(conn);
    this.setStatus(name, { state: 'connected', info });
    return info;
  }

  async disconnect(name: string): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const [id, pending] of this.clients) {
      if (!id.startsWith(`${name}\u0000`)) continue;
      this.clients.delete(id);
      closing.push(pending.then((c) => c.close(), () => undefined));
    }
    await Promise.all(closing);
    const tunnel = this.tunnels.get(name);
    this.tunnels.delete(name);
    this.tunnelsOpened.delete(name);
    await tunnel?.then((t) => t.close(), () => undefined);
    this.setStatus(name, { state: 'idle' });
  }

  dispose(): void {
    for (const pending of this.clients.values()) void pending.then((c) => c.close(), () => undefined);
    this.clients.clear();
    for (const pending of this.tunnels.values()) void pending.then((t) => t.close(), () => undefined);
    this.tunnels.clear();
    this.tunnelsOpened.clear();
    this.storeSub.dispose();
    this.secretsSub.dispose();
    this.changed.dispose();
    this.reconnected.dispose();
    this.hostKeyEmitter.dispose();
    this.clusterNodeEmitter.dispose();
    this.staleEmitter.dispose();
  }

  private setStatus(name: string, status: ConnectionStatus): void {
    this.statuses.set(name, status);
    this.changed.fire(name);
  }
}
