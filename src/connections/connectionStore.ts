import * as vscode from 'vscode';
import type { ConnectionProfile } from '../core/profile';
import { validateProfile, withAddress } from '../core/profile';
import { RedisExplorerError } from '../core/errors';

const SECTION = 'redisHashExplorer';
const KEY = 'connections';

/** Where a connection is stored: user settings (every window) or workspace settings (shared with the project). */
export type ConnectionScope = 'user' | 'workspace';

export function scopeLabel(scope: ConnectionScope): string {
  return scope === 'user' ? 'user settings' : 'workspace settings';
}

interface ConnectionList {
  /** valid profiles, workspace ones first; each name once */
  profiles: ConnectionProfile[];
  /** a message for each entry that is invalid or not shown */
  problems: string[];
  /** where each shown profile is stored */
  scopes: Map<string, ConnectionScope>;
  /** names also defined in user settings, not shown: the workspace one is */
  shadowed: Set<string>;
}

/**
 * Connection profiles live in settings, user and workspace both (so a team can share them), and are
 * shown together: a workspace list never hides the user's connections, as VS Code's own merge of an
 * array setting would. Passwords live only in SecretStorage, under the connection's name.
 */
export class ConnectionStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;
  /** the validated list, read once per change of the setting (every client lookup asks for it) */
  private list: ConnectionList | undefined;
  /** per connection name, how many times one of its secrets changed (the pool drops clients opened before) */
  private readonly secretChanges = new Map<string, number>();
  /** SecretStorage keys this store is writing: their change events are its own, counted once already */
  private readonly writing = new Map<string, number>();
  private readonly secretsChanged = new vscode.EventEmitter<string>();
  /** a connection's secret was changed by another window (SecretStorage is shared): clients opened before have an old one */
  readonly onDidChangeSecretsElsewhere = this.secretsChanged.event;
  private readonly secretsSub: vscode.Disposable;

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(`${SECTION}.${KEY}`)) return;
      this.list = undefined;
      this.changed.fire();
    });
    this.secretsSub = secrets.onDidChange(({ key }) => {
      const own = this.writing.get(key);
      if (own) return void (own > 1 ? this.writing.set(key, own - 1) : this.writing.delete(key));
      const name = nameOfSecretKey(key);
      if (name === undefined) return;
      this.secretChanges.set(name, this.secretsVersion(name) + 1);
      this.secretsChanged.fire(name);
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.secretsSub.dispose();
    this.changed.dispose();
    this.secretsChanged.dispose();
  }

  /** Whether workspace settings can be written (a folder or a .code-workspace is open). */
  hasWorkspace(): boolean {
    return vscode.workspace.workspaceFile !== undefined || (vscode.workspace.workspaceFolders?.length ?? 0) > 0;
  }

  /** Both scopes merged. Within a scope the first of a name wins; across scopes the workspace one, with a problem saying so. */
  read(): ConnectionList {
    this.list ??= this.readSettings();
    return this.list;
  }

  private readSettings(): ConnectionList {
    const list: ConnectionList = { profiles: [], problems: [], scopes: new Map(), shadowed: new Set() };
    for (const scope of ['workspace', 'user'] as const) {
      for (const entry of this.entries(scope)) {
        const p = (entry ?? {}) as Partial<ConnectionProfile>;
        const problem = validateProfile(p);
        const seen = p.name === undefined ? undefined : list.scopes.get(p.name);
        if (problem) list.problems.push(`${problem} (${scopeLabel(scope)})`);
        else if (seen === scope) list.problems.push(`Connection name "${p.name}" is used twice in ${scopeLabel(scope)}; the second is ignored.`);
        else if (seen) {
          list.shadowed.add(p.name as string);
          list.problems.push(`Connection "${p.name}" is in both workspace and user settings: the workspace one is shown. Rename or remove one of them.`);
        } else {
          list.profiles.push(withAddress(p as ConnectionProfile));
          list.scopes.set(p.name as string, scope);
        }
      }
    }
    return list;
  }

  get(name: string): ConnectionProfile {
    const p = this.read().profiles.find((x) => x.name === name);
    if (!p) throw new RedisExplorerError('NOT_FOUND', `No connection named "${name}".`);
    return p;
  }

  /** Whether a connection of this name is shown. */
  has(name: string): boolean {
    return this.read().scopes.has(name);
  }

  /** Whether the name is taken in either scope, by any entry (shown or not). */
  nameTaken(name: string): boolean {
    return (['user', 'workspace'] as const).some((s) => this.indexIn(s, name) >= 0);
  }

  /** Where the shown connection of this name is stored, and whether one of the same name in user settings is not shown. */
  storage(name: string): { scope?: ConnectionScope; shadowed: boolean } {
    const list = this.read();
    return { scope: list.scopes.get(name), shadowed: list.shadowed.has(name) };
  }

  /** Where the connection that is shown under this name is stored. */
  scopeOf(name: string): ConnectionScope | undefined {
    return this.read().scopes.get(name);
  }

  /**
   * Adds, or replaces the shown profile named `previousName` (else `profile.name`), in `scope`: by
   * default where it is stored now, a new one in user settings. A profile given another scope moves
   * there. `secrets`: those to store with it (undefined keeps one, '' removes it). Returns where it is stored.
   */
  async save(profile: ConnectionProfile, options: { previousName?: string; scope?: ConnectionScope; secrets?: ConnectionSecrets } = {}): Promise<ConnectionScope> {
    const lookup = options.previousName ?? profile.name;
    const from = this.scopeOf(lookup);
    const to = options.scope ?? from ?? 'user';
    if (to === 'workspace' && !this.hasWorkspace()) {
      throw new RedisExplorerError('INVALID', `No folder or workspace is open: connection "${profile.name}" can be stored only in user settings. Nothing was saved.`);
    }
    // A profile of the same name in the other settings keeps using the password stored under that name.
    const twin = from !== undefined && this.indexIn(from === 'user' ? 'workspace' : 'user', lookup) >= 0;
    const target = [...this.entries(to)];
    const clean = stripUndefined(profile);
    const i = from === to ? this.indexIn(to, lookup) : -1;
    if (i >= 0) target[i] = clean;
    else if (this.indexIn(to, profile.name) >= 0) {
      throw new RedisExplorerError('EXISTS', `A connection named "${profile.name}" is in ${scopeLabel(to)} already. Nothing was saved.`);
    } else target.push(clean);
    const renamed = lookup !== profile.name;
    // The secrets are in place under the saved name before the settings change: a client the tree opens on
    // that change has them. Put back as they were when the profile cannot be written.
    const previous = await this.putSecrets(profile.name, renamed ? lookup : undefined, options.secrets);
    try {
      // Written to its new place before it leaves the old one: a failure in between never loses it.
      await this.write(to, target);
    } catch (err) {
      for (const [kind, value] of previous) await this.setSecret(kind, profile.name, value);
      throw err;
    }
    if (from && from !== to) await this.write(from, this.entries(from).filter((e) => nameOf(e) !== lookup));
    if (renamed && !twin) await this.forgetSecrets(lookup);
    return to;
  }

  /** Stores the secrets given, the others copied from `copyFrom` (a rename); returns the values they replaced. */
  private async putSecrets(name: string, copyFrom: string | undefined, given: ConnectionSecrets = {}): Promise<Array<[SecretKind, string | undefined]>> {
    const previous: Array<[SecretKind, string | undefined]> = [];
    for (const kind of SECRET_KINDS) {
      if (given[kind] === undefined && copyFrom === undefined) continue;
      previous.push([kind, await this.getSecret(kind, name)]);
      await this.setSecret(kind, name, given[kind] ?? (copyFrom === undefined ? undefined : await this.getSecret(kind, copyFrom)));
    }
    return previous;
  }

  /**
   * Removes the profile from `scope` (default: the one shown). Its password goes too, unless a
   * profile of that name stays in the other scope.
   */
  async remove(name: string, scope?: ConnectionScope): Promise<void> {
    const from = scope ?? this.scopeOf(name);
    if (!from || this.indexIn(from, name) < 0) {
      throw new RedisExplorerError('NOT_FOUND', `No connection named "${name}"${scope ? ` in ${scopeLabel(scope)}` : ''}. Nothing was removed.`);
    }
    const stays = this.indexIn(from === 'user' ? 'workspace' : 'user', name) >= 0;
    await this.write(from, this.entries(from).filter((e) => nameOf(e) !== name));
    if (!stays) await this.forgetSecrets(name);
  }

  /** A secret of a connection (SecretStorage only, never settings). */
  getSecret(kind: SecretKind, name: string): Thenable<string | undefined> {
    return this.secrets.get(secretKey(kind, name));
  }

  /** Stores a secret; undefined or '' removes it. A change counts in secretsVersion. */
  async setSecret(kind: SecretKind, name: string, value: string | undefined): Promise<void> {
    if (((await this.getSecret(kind, name)) ?? '') === (value ?? '')) return;
    const key = secretKey(kind, name);
    this.writing.set(key, (this.writing.get(key) ?? 0) + 1);
    try {
      if (value) await this.secrets.store(key, value);
      else await this.secrets.delete(key);
    } catch (err) {
      this.writing.delete(key);
      throw err;
    }
    // counted once written: a client opened meanwhile counts as opened before (it may have read the old value)
    this.secretChanges.set(name, this.secretsVersion(name) + 1);
  }

  /** Changes with each change of a secret stored under the name (made here): a client opened before has an old one. */
  secretsVersion(name: string): number {
    return this.secretChanges.get(name) ?? 0;
  }

  /** Every secret stored under the name. */
  async forgetSecrets(name: string): Promise<void> {
    for (const kind of SECRET_KINDS) await this.setSecret(kind, name, undefined);
  }

  /** What a connection needs from SecretStorage to open (only those its profile uses). */
  async secretsOf(profile: ConnectionProfile): Promise<ConnectionSecrets> {
    const name = profile.name;
    const tlsKey = typeof profile.tls === 'object' && profile.tls.keyFile;
    return {
      password: await this.getSecret('password', name),
      sentinelPassword: profile.kind === 'sentinel' ? await this.getSecret('sentinelPassword', name) : undefined,
      sshPassword: profile.ssh ? await this.getSecret('sshPassword', name) : undefined,
      sshPassphrase: profile.ssh?.privateKeyFile ? await this.getSecret('sshPassphrase', name) : undefined,
      tlsKeyPassphrase: tlsKey ? await this.getSecret('tlsKeyPassphrase', name) : undefined,
    };
  }

  /** Sentinel: the sentinels' own password (SecretStorage only, like every password). */
  getSentinelPassword(name: string): Thenable<string | undefined> {
    return this.getSecret('sentinelPassword', name);
  }

  setSentinelPassword(name: string, password: string | undefined): Promise<void> {
    return this.setSecret('sentinelPassword', name, password);
  }

  getPassword(name: string): Thenable<string | undefined> {
    return this.getSecret('password', name);
  }

  setPassword(name: string, password: string | undefined): Promise<void> {
    return this.setSecret('password', name, password);
  }

  deletePassword(name: string): Promise<void> {
    return this.setSecret('password', name, undefined);
  }

  /** The raw entries of one scope, invalid ones included (a write keeps them as they are). */
  private entries(scope: ConnectionScope): readonly unknown[] {
    const inspected = vscode.workspace.getConfiguration(SECTION).inspect<unknown>(KEY);
    const value = scope === 'user' ? inspected?.globalValue : inspected?.workspaceValue;
    return Array.isArray(value) ? value : [];
  }

  private indexIn(scope: ConnectionScope, name: string): number {
    return this.entries(scope).findIndex((e) => nameOf(e) === name);
  }

  /** An emptied list is removed from the settings file rather than left as `[]`. */
  private async write(scope: ConnectionScope, entries: readonly unknown[]): Promise<void> {
    const target = scope === 'user' ? vscode.ConfigurationTarget.Global : vscode.ConfigurationTarget.Workspace;
    await vscode.workspace.getConfiguration(SECTION).update(KEY, entries.length ? entries : undefined, target);
    this.list = undefined;
  }
}

function nameOf(entry: unknown): unknown {
  return entry && typeof entry === 'object' ? (entry as { name?: unknown }).name : undefined;
}

/** The secrets a connection may have, each under its own SecretStorage key. */
export const SECRET_KINDS = ['password', 'sentinelPassword', 'sshPassword', 'sshPassphrase', 'tlsKeyPassphrase'] as const;
export type SecretKind = (typeof SECRET_KINDS)[number];

/** The secrets as a connection is opened with them. */
export type ConnectionSecrets = { [K in SecretKind]?: string };

function secretKey(kind: SecretKind, name: string): string {
  return `redisHashExplorer.${kind}:${name}`;
}

/** The connection name a SecretStorage key of ours is stored under; undefined for any other key. */
function nameOfSecretKey(key: string): string | undefined {
  for (const kind of SECRET_KINDS) {
    const prefix = secretKey(kind, '');
    if (key.startsWith(prefix)) return key.slice(prefix.length);
  }
  return undefined;
}

/**
 * Unset options are left out; an empty separator stays (it means a flat list, not the default). A cluster
 * or sentinel profile given as a list keeps only the list (host/port are its first entry when read).
 */
function stripUndefined(p: ConnectionProfile): ConnectionProfile {
  const list = p.kind === 'cluster' ? p.nodes : p.kind === 'sentinel' ? p.sentinels : undefined;
  const fromList = list?.length ? list[0] : undefined;
  return Object.fromEntries(
    Object.entries(p).filter(([k, v]) => v !== undefined && (v !== '' || k === 'separator') && !(fromList && ((k === 'host' && v === fromList.host) || (k === 'port' && v === fromList.port)))),
  ) as unknown as ConnectionProfile;
}
