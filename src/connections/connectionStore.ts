import * as vscode from 'vscode';
import type { ConnectionProfile } from '../core/profile';
import { validateProfile } from '../core/profile';
import { RedisExplorerError } from '../core/errors';

const SECTION = 'redisHashExplorer';
const KEY = 'connections';

/**
 * Connection profiles live in settings (user or workspace, so a team can share them);
 * passwords live only in SecretStorage, under the connection's name.
 */
export class ConnectionStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SECTION}.${KEY}`)) this.changed.fire();
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  /** Valid profiles, and a message for each entry that is not. Names are unique: the first one wins. */
  read(): { profiles: ConnectionProfile[]; problems: string[] } {
    const raw = vscode.workspace.getConfiguration(SECTION).get<unknown[]>(KEY, []);
    const profiles: ConnectionProfile[] = [];
    const problems: string[] = [];
    for (const entry of Array.isArray(raw) ? raw : []) {
      const p = (entry ?? {}) as Partial<ConnectionProfile>;
      const problem = validateProfile(p);
      if (problem) problems.push(problem);
      else if (profiles.some((x) => x.name === p.name)) problems.push(`Connection name "${p.name}" is used twice; the second is ignored.`);
      else profiles.push(p as ConnectionProfile);
    }
    return { profiles, problems };
  }

  get(name: string): ConnectionProfile {
    const p = this.read().profiles.find((x) => x.name === name);
    if (!p) throw new RedisExplorerError('NOT_FOUND', `No connection named "${name}".`);
    return p;
  }

  has(name: string): boolean {
    return this.read().profiles.some((x) => x.name === name);
  }

  /** Adds or replaces (by `previousName`, else by name) a profile where it is stored: workspace if it is there, else user settings. */
  async save(profile: ConnectionProfile, previousName?: string): Promise<void> {
    const cfg = vscode.workspace.getConfiguration(SECTION);
    const inspected = cfg.inspect<ConnectionProfile[]>(KEY);
    const lookup = previousName ?? profile.name;
    const inWorkspace = (inspected?.workspaceValue ?? []).some((p) => p.name === lookup);
    const target = inWorkspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    const current = [...((inWorkspace ? inspected?.workspaceValue : inspected?.globalValue) ?? [])];
    const clean = stripUndefined(profile);
    const i = current.findIndex((p) => p.name === lookup);
    if (i >= 0) current[i] = clean;
    else current.push(clean);
    await cfg.update(KEY, current, target);
    if (previousName && previousName !== profile.name) {
      const pw = await this.getPassword(previousName);
      if (pw !== undefined) await this.setPassword(profile.name, pw);
      await this.deletePassword(previousName);
    }
  }

  async remove(name: string): Promise<void> {
    const cfg = vscode.workspace.getConfiguration(SECTION);
    const inspected = cfg.inspect<ConnectionProfile[]>(KEY);
    const targets: Array<[ConnectionProfile[] | undefined, vscode.ConfigurationTarget]> = [
      [inspected?.globalValue, vscode.ConfigurationTarget.Global],
      [inspected?.workspaceValue, vscode.ConfigurationTarget.Workspace],
    ];
    for (const [value, target] of targets) {
      if (value?.some((p) => p.name === name)) await cfg.update(KEY, value.filter((p) => p.name !== name), target);
    }
    await this.deletePassword(name);
  }

  getPassword(name: string): Thenable<string | undefined> {
    return this.secrets.get(secretKey(name));
  }

  async setPassword(name: string, password: string | undefined): Promise<void> {
    if (password) await this.secrets.store(secretKey(name), password);
    else await this.secrets.delete(secretKey(name));
  }

  deletePassword(name: string): Thenable<void> {
    return this.secrets.delete(secretKey(name));
  }
}

function secretKey(name: string): string {
  return `redisHashExplorer.password:${name}`;
}

function stripUndefined(p: ConnectionProfile): ConnectionProfile {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined && v !== '')) as unknown as ConnectionProfile;
}
