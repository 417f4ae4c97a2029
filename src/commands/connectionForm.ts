import type * as vscode from 'vscode';
import { RedisExplorerError } from '../core/errors';
import type { ConnectionProfile, TlsOptions } from '../core/profile';
import { parseRedisUrl, validateProfile } from '../core/profile';
import type { ConnectionScope } from '../connections/connectionStore';
import { scopeLabel } from '../connections/connectionStore';
import { orCancel } from './command';
import { prompts } from './prompts';

/*
 * Adding and editing a connection with QuickPick and InputBox only: an address (a pasted
 * redis:// or rediss:// URL, or host:port) and a name, then a review list where each field can be
 * changed, until "Save". Also the plain-object form for scripted calls.
 */

export interface ConnectionDraft {
  profile: ConnectionProfile;
  /** undefined: keep what is stored; '': remove; else the new password (SecretStorage only) */
  password?: string;
  /** whether a password is stored now (for the form's label) */
  hasPassword: boolean;
  /** where to store it; undefined: where it is now, a new one in user settings */
  scope?: ConnectionScope;
}

export interface FormOptions {
  title: string;
  /** whether a name is taken (in any settings) */
  existing: (name: string) => boolean;
  /** the name being edited, which the new name may keep */
  originalName?: string;
  /** a workspace is open: offer to store the connection there */
  canUseWorkspace: boolean;
}

/** A pasted URL, or `host`, `host:port`, `[v6]:port`. */
export function parseAddress(input: string): { profile: Omit<ConnectionProfile, 'name'>; password?: string } {
  const text = input.trim();
  if (/^rediss?:\/\//i.test(text)) return parseRedisUrl(text);
  const m = /^(?:\[([^\]]+)\]|([^:\s/]+))(?::(\d{1,5}))?$/.exec(text);
  if (!m) throw new RedisExplorerError('INVALID', 'Enter host:port, or paste a redis:// or rediss:// URL.');
  const port = m[3] ? Number(m[3]) : 6379;
  if (port < 1 || port > 65535) throw new RedisExplorerError('INVALID', `Invalid port ${m[3]}.`);
  return { profile: { host: m[1] ?? m[2], port } };
}

function messageOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Asks for the address and a name, then shows the review list. */
export async function askNewConnection(existing: (name: string) => boolean, canUseWorkspace: boolean): Promise<ConnectionDraft> {
  const title = 'Add Redis Connection';
  const address = orCancel(
    await prompts.input({
      title,
      prompt: 'Paste a redis:// or rediss:// URL, or enter host:port',
      value: '127.0.0.1:6379',
      validateInput: (v) => messageOf(() => parseAddress(v)),
    }),
  );
  const parsed = parseAddress(address);
  let suggestion = `${parsed.profile.host}:${parsed.profile.port}`;
  for (let i = 2; existing(suggestion); i++) suggestion = `${parsed.profile.host}:${parsed.profile.port} (${i})`;
  const name = orCancel(
    await prompts.input({ title, prompt: 'Connection name', value: suggestion, validateInput: (v) => (!v.trim() ? 'A name is needed.' : existing(v.trim()) ? `"${v.trim()}" exists already.` : undefined) }),
  );
  const draft: ConnectionDraft = { profile: { name: name.trim(), ...parsed.profile }, password: parsed.password, hasPassword: !!parsed.password, scope: 'user' };
  return reviewConnection(draft, { title, existing, canUseWorkspace });
}

interface FormItem extends vscode.QuickPickItem {
  edit?: () => Promise<void>;
  save?: true;
}

/** The review list: pick a line to change it, "Save" to finish. Escape cancels everything. */
export async function reviewConnection(draft: ConnectionDraft, options: FormOptions): Promise<ConnectionDraft> {
  const { title, existing, originalName, canUseWorkspace } = options;
  const p = draft.profile;
  const tlsOf = (): TlsOptions | undefined => (p.tls === true ? {} : p.tls || undefined);
  const setTls = (o: TlsOptions | undefined) => {
    if (!o) p.tls = undefined;
    else p.tls = o.caFile || o.verify === false || o.servername ? o : true;
  };
  const text = async (prompt: string, value: string, validate?: (v: string) => string | undefined, password = false) =>
    orCancel(await prompts.input({ title, prompt, value, password, validateInput: validate }));
  for (;;) {
    const tls = tlsOf();
    const items: FormItem[] = [
      { label: '$(check) Save', description: `${p.name} — ${p.host}:${p.port}${canUseWorkspace ? ` → ${scopeLabel(draft.scope ?? 'user')}` : ''}`, detail: 'Tests the connection first', save: true },
      {
        label: 'Name',
        description: p.name,
        edit: async () => {
          p.name = (await text('Connection name', p.name, (v) => (!v.trim() ? 'A name is needed.' : v.trim() !== originalName && existing(v.trim()) ? `"${v.trim()}" exists already.` : undefined))).trim();
        },
      },
      {
        label: 'Address',
        description: `${p.host}:${p.port}`,
        edit: async () => {
          const parsed = parseAddress(await text('host:port, or a redis:// URL', `${p.host}:${p.port}`, (v) => messageOf(() => parseAddress(v))));
          Object.assign(p, parsed.profile);
          if (parsed.password !== undefined) draft.password = parsed.password;
        },
      },
      { label: 'Database', description: String(p.db ?? 0), edit: async () => void (p.db = Number(await text('Database number', String(p.db ?? 0), (v) => (/^\d+$/.test(v) ? undefined : 'A number, 0 or more.')))) },
      { label: 'Username (ACL)', description: p.username || '(default user)', edit: async () => void (p.username = (await text('ACL user name (empty: default user)', p.username ?? '')) || undefined) },
      {
        label: 'Password',
        description: draft.password !== undefined ? (draft.password ? '(new, kept in secret storage)' : '(none)') : draft.hasPassword ? '(stored in secret storage)' : '(none)',
        edit: async () => void (draft.password = await text('Password (empty: none). Kept only in VS Code secret storage.', '', undefined, true)),
      },
      { label: 'TLS', description: tls ? 'on' : 'off', edit: async () => setTls(tls ? undefined : {}) },
      ...(tls
        ? [
            { label: '    CA file', description: tls.caFile || '(system CAs)', edit: async () => setTls({ ...tls, caFile: (await text('Path to a PEM CA bundle (empty: system CAs)', tls.caFile ?? '')) || undefined }) },
            { label: '    Verify certificate', description: tls.verify === false ? 'off' : 'on', edit: async () => setTls({ ...tls, verify: tls.verify === false ? undefined : false }) },
          ]
        : []),
      { label: 'Read-only', description: p.readOnly ? 'on: writes are refused' : 'off', edit: async () => void (p.readOnly = p.readOnly ? undefined : true) },
      { label: 'Key separator', description: p.separator === undefined ? '(from settings)' : p.separator === '' ? '(none: flat list)' : p.separator, edit: async () => void (p.separator = await text('Separator that groups keys into folders (empty: flat)', p.separator ?? ':')) },
      ...(canUseWorkspace
        ? [
            {
              label: 'Stored in',
              description: draft.scope === 'workspace' ? 'workspace settings (this workspace; shared if the settings file is)' : 'user settings (every window)',
              edit: async () => void (draft.scope = draft.scope === 'workspace' ? 'user' : 'workspace'),
            },
          ]
        : []),
    ];
    const picked = orCancel(await prompts.pick(items, { title, placeHolder: 'Pick a line to change it, or Save' }));
    if (picked.save) {
      const problem = validateProfile(p);
      if (problem) throw new RedisExplorerError('INVALID', problem);
      return draft;
    }
    await picked.edit?.();
  }
}

/**
 * The scripted form: `{ connection, url?, host?, port?, db?, username?, password?, tls?, readOnly?, separator?, target? }`
 * (`tls`: true, or `{ caFile?, verify?, servername? }`; `target`: "user" or "workspace"). Fields given override `base`.
 */
export function draftFromArgs(arg: Record<string, unknown>, base?: ConnectionProfile): ConnectionDraft {
  const str = (k: string): string | undefined => {
    const v = arg[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new RedisExplorerError('INVALID', `"${k}" must be a string.`);
    return v;
  };
  const profile: ConnectionProfile = base ? { ...base } : { name: String(arg.connection), host: '127.0.0.1', port: 6379 };
  let password = str('password');
  const url = str('url');
  if (url) {
    const parsed = parseRedisUrl(url);
    Object.assign(profile, parsed.profile);
    password ??= parsed.password;
  }
  const host = str('host');
  if (host) profile.host = host;
  if (arg.port !== undefined) profile.port = arg.port as number;
  if (arg.db !== undefined) profile.db = arg.db as number;
  const username = str('username');
  if (username !== undefined) profile.username = username || undefined;
  if (arg.tls !== undefined) {
    if (typeof arg.tls !== 'boolean' && (typeof arg.tls !== 'object' || arg.tls === null)) throw new RedisExplorerError('INVALID', '"tls" must be true, false or { caFile, verify, servername }.');
    profile.tls = arg.tls === false ? undefined : (arg.tls as boolean | TlsOptions);
  }
  if (arg.readOnly !== undefined) {
    if (typeof arg.readOnly !== 'boolean') throw new RedisExplorerError('INVALID', '"readOnly" must be true or false.');
    profile.readOnly = arg.readOnly || undefined;
  }
  const separator = str('separator');
  if (separator !== undefined) profile.separator = separator;
  const newName = str('newName');
  if (newName) profile.name = newName;
  const problem = validateProfile(profile);
  if (problem) throw new RedisExplorerError('INVALID', problem);
  return { profile, password, hasPassword: !!password, scope: scopeArg(arg) };
}

/** The scripted `target`: which settings a connection is stored in. */
export function scopeArg(arg: Record<string, unknown>): ConnectionScope | undefined {
  const target = arg.target;
  if (target !== undefined && target !== 'user' && target !== 'workspace') throw new RedisExplorerError('INVALID', '"target" must be "user" or "workspace".');
  return target;
}

/** The scripted `test` flag: whether to try the connection before saving. */
export function testFlag(arg: Record<string, unknown>, byDefault: boolean): boolean {
  if (arg.test === undefined) return byDefault;
  if (typeof arg.test !== 'boolean') throw new RedisExplorerError('INVALID', '"test" must be true or false.');
  return arg.test;
}
