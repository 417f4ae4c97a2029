import { RedisExplorerError } from '../core/errors';
import type { ConnectionKind, ConnectionProfile, HostPort, TlsOptions } from '../core/profile';
import { CONNECTION_KINDS, parseRedisUrl, validateProfile, whereOf } from '../core/profile';
import type { ConnectionScope } from '../connections/connectionStore';
import { scopeLabel } from '../connections/connectionStore';
import { orCancel } from './command';
import { sshArgs } from './sshArgs';
import { sshLines } from './sshForm';
import { tlsClientLines } from './tlsForm';
import type { ConnectionDraft, FormItem } from './formParts';
import { messageOf } from './formParts';
import type { PromptLayer } from './prompts';

export type { ConnectionDraft, FormItem } from './formParts';

/*
 * Adding and editing a connection with QuickPick and InputBox only: an address (a pasted
 * redis:// or rediss:// URL, or host:port) and a name, then a review list where each field can be
 * changed, until "Save". Also the plain-object form for scripted calls.
 */

export interface FormOptions {
  title: string;
  /** whether a name is taken (in any settings) */
  existing: (name: string) => boolean;
  /** the name being edited, which the new name may keep */
  originalName?: string;
  /** a workspace is open: offer to store the connection there */
  canUseWorkspace: boolean;
  prompts: PromptLayer;
}

/** A pasted URL, or `host`, `host:port`, `[v6]:port`. */
function parseAddress(input: string): { profile: Omit<ConnectionProfile, 'name'>; password?: string } {
  const text = input.trim();
  if (/^rediss?:\/\//i.test(text)) return parseRedisUrl(text);
  const m = /^(?:\[([^\]]+)\]|([^:\s/]+))(?::(\d{1,5}))?$/.exec(text);
  if (!m) throw new RedisExplorerError('INVALID', 'Enter host:port, or paste a redis:// or rediss:// URL.');
  const port = m[3] ? Number(m[3]) : 6379;
  if (port < 1 || port > 65535) throw new RedisExplorerError('INVALID', `Invalid port ${m[3]}.`);
  return { profile: { host: m[1] ?? m[2], port } };
}

/** Asks for the address and a name, then shows the review list. */
export async function askNewConnection(prompts: PromptLayer, existing: (name: string) => boolean, canUseWorkspace: boolean): Promise<ConnectionDraft> {
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
  return reviewConnection(draft, { title, existing, canUseWorkspace, prompts });
}

/** The review list: pick a line to change it, "Save" to finish. Escape cancels everything. */
export async function reviewConnection(draft: ConnectionDraft, options: FormOptions): Promise<ConnectionDraft> {
  const { title, existing, originalName, canUseWorkspace, prompts } = options;
  const p = draft.profile;
  const tlsOf = (): TlsOptions | undefined => (p.tls === true ? {} : p.tls || undefined);
  const setTls = (o: TlsOptions | undefined) => {
    if (!o) p.tls = undefined;
    else p.tls = o.caFile || o.certFile || o.keyFile || o.verify === false || o.servername ? o : true;
  };
  const text = async (prompt: string, value: string, validate?: (v: string) => string | undefined, password = false) =>
    orCancel(await prompts.input({ title, prompt, value, password, validateInput: validate }));
  for (;;) {
    const tls = tlsOf();
    const items: FormItem[] = [
      { label: '$(check) Save', description: `${p.name} — ${p.host}:${p.port}${p.ssh ? ` via SSH ${p.ssh.host}` : ''}${canUseWorkspace ? ` → ${scopeLabel(draft.scope ?? 'user')}` : ''}`, detail: 'Tests the connection first', save: true },
      {
        label: 'Name',
        description: p.name,
        edit: async () => {
          p.name = (await text('Connection name', p.name, (v) => (!v.trim() ? 'A name is needed.' : v.trim() !== originalName && existing(v.trim()) ? `"${v.trim()}" exists already.` : undefined))).trim();
        },
      },
      {
        label: 'Kind',
        description: kindLabel(p.kind),
        edit: async () => {
          const picked = orCancel(
            await prompts.pick(
              CONNECTION_KINDS.map((k) => ({ label: kindLabel(k), connectionKind: k })),
              { title, placeHolder: 'What the address is: one server, a cluster, or sentinels that name the master' },
            ),
          );
          setKind(p, picked.connectionKind);
        },
      },
      ...(p.kind === 'cluster' || p.kind === 'sentinel'
        ? [
            {
              label: p.kind === 'cluster' ? 'Seed nodes' : 'Sentinels',
              description: whereOf(p),
              edit: async () => {
                const seeds = parseSeeds(await text(p.kind === 'cluster' ? 'Seed nodes: host:port, host:port, …' : 'Sentinels: host:port, host:port, …', seedsText(p), (v) => messageOf(() => parseSeeds(v))));
                if (p.kind === 'cluster') p.nodes = seeds;
                else p.sentinels = seeds;
                Object.assign(p, seeds[0]);
              },
            },
          ]
        : [
            {
              label: 'Address',
              description: `${p.host}:${p.port}`,
              edit: async () => {
                const parsed = parseAddress(await text('host:port, or a redis:// URL', `${p.host}:${p.port}`, (v) => messageOf(() => parseAddress(v))));
                Object.assign(p, parsed.profile);
                if (parsed.password !== undefined) draft.password = parsed.password;
              },
            },
          ]),
      ...(p.kind === 'cluster' ? [replicasLine(prompts, p, title)] : []),
      ...(p.kind === 'sentinel'
        ? [{ label: 'Master name', description: p.masterName || '(needed)', edit: async () => void (p.masterName = (await text('The name the sentinels monitor the master under', p.masterName ?? 'mymaster', (v) => (v.trim() ? undefined : 'A master name is needed.'))).trim()) }]
        : []),
      ...(p.kind === 'cluster'
        ? []
        : [{ label: 'Database', description: String(p.db ?? 0), edit: async () => void (p.db = Number(await text('Database number', String(p.db ?? 0), (v) => (/^\d+$/.test(v) ? undefined : 'A number, 0 or more.')))) }]),
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
            ...tlsClientLines(prompts, draft, tls, setTls, title, text),
          ]
        : []),
      ...sshLines(prompts, draft, title, text),
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

function kindLabel(kind: ConnectionKind | undefined): string {
  return kind === 'cluster' ? 'Redis Cluster' : kind === 'sentinel' ? 'Sentinel' : 'Standalone server';
}

/** A change of kind: a cluster starts seeded by the address (database 0), sentinels at the address. */
function setKind(p: ConnectionProfile, kind: ConnectionKind): void {
  p.kind = kind === 'standalone' ? undefined : kind;
  p.nodes = kind === 'cluster' ? (p.nodes ?? [{ host: p.host, port: p.port }]) : undefined;
  p.sentinels = kind === 'sentinel' ? (p.sentinels ?? [{ host: p.host, port: p.port === 6379 ? 26379 : p.port }]) : undefined;
  if (kind === 'sentinel') {
    p.masterName ??= 'mymaster';
    Object.assign(p, p.sentinels?.[0]);
  } else p.masterName = undefined;
  if (kind === 'cluster') p.db = undefined;
  else p.readFromReplicas = undefined;
}

/** Cluster: whether browsing reads from the replicas (a yes/no step, default no). */
function replicasLine(prompts: PromptLayer, p: ConnectionProfile, title: string): FormItem {
  const lag = 'Replicas lag a little: a key or field written a moment ago may show a moment later. Edits are never affected (they compare with the master).';
  return {
    label: 'Read from replicas',
    description: p.readFromReplicas ? 'yes: the key list and hash pages load the replicas' : 'no: every read goes to the masters',
    edit: async () => {
      const picked = orCancel(
        await prompts.pick(
          [
            { label: 'No', description: 'every read goes to the masters (default)', replicas: false },
            { label: 'Yes', description: 'the key list and a hash\'s field pages are read from each master\'s replicas; writes and edits stay on the masters', detail: lag, replicas: true },
          ],
          { title, placeHolder: 'Browse from the replicas, so the heavy reads load them rather than the masters?' },
        ),
      );
      p.readFromReplicas = picked.replicas || undefined;
    },
  };
}

function seedsText(p: ConnectionProfile): string {
  const list = (p.kind === 'cluster' ? p.nodes : p.sentinels) ?? [{ host: p.host, port: p.port }];
  return list.map((s) => `${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}`).join(', ');
}

/** "host:port, host:port" (commas or spaces between). */
function parseSeeds(input: string): HostPort[] {
  const parts = input.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) throw new RedisExplorerError('INVALID', 'Enter at least one host:port.');
  return parts.map((part) => {
    if (/^rediss?:\/\//i.test(part)) throw new RedisExplorerError('INVALID', `"${part}": enter host:port here, not a URL.`);
    const { host, port } = parseAddress(part).profile;
    return { host, port };
  });
}

/**
 * The scripted form: `{ connection, kind?, url?, host?, port?, nodes?, sentinels?, masterName?, db?, username?, password?,
 * sentinelPassword?, tls?, readOnly?, readFromReplicas? (cluster only), separator?, target? }`
 * (`tls`: true, or `{ caFile?, certFile?, keyFile?, verify?, servername? }`; `target`: "user" or "workspace"). Fields given override `base`.
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
    if (typeof arg.tls !== 'boolean' && (typeof arg.tls !== 'object' || arg.tls === null)) throw new RedisExplorerError('INVALID', '"tls" must be true, false or { caFile, certFile, keyFile, verify, servername }.');
    profile.tls = arg.tls === false ? undefined : (arg.tls as boolean | TlsOptions);
  }
  if (arg.readOnly !== undefined) {
    if (typeof arg.readOnly !== 'boolean') throw new RedisExplorerError('INVALID', '"readOnly" must be true or false.');
    profile.readOnly = arg.readOnly || undefined;
  }
  if (arg.readFromReplicas !== undefined) {
    if (typeof arg.readFromReplicas !== 'boolean') throw new RedisExplorerError('INVALID', '"readFromReplicas" must be true or false.');
    profile.readFromReplicas = arg.readFromReplicas || undefined;
  }
  const separator = str('separator');
  if (separator !== undefined) profile.separator = separator;
  const newName = str('newName');
  if (newName) profile.name = newName;
  kindArgs(arg, profile, str, host !== undefined || arg.port !== undefined);
  const sentinelPassword = str('sentinelPassword');
  if (sentinelPassword && profile.kind !== 'sentinel') throw new RedisExplorerError('INVALID', '"sentinelPassword" is for a sentinel connection (kind "sentinel").');
  const secrets = sshArgs(arg, profile, str);
  const problem = validateProfile(profile);
  if (problem) throw new RedisExplorerError('INVALID', problem);
  return { profile, password, sentinelPassword, ...secrets, hasPassword: !!password, scope: scopeArg(arg) };
}

/**
 * `kind`, `nodes`, `sentinels`, `masterName`: a cluster is seeded by `nodes` (or `host`/`port` as one seed),
 * a sentinel connection by `sentinels` and `masterName`. Fields of another kind are dropped on a change of kind.
 */
function kindArgs(arg: Record<string, unknown>, profile: ConnectionProfile, str: (k: string) => string | undefined, addressGiven: boolean): void {
  if (arg.kind !== undefined) {
    if (typeof arg.kind !== 'string' || !CONNECTION_KINDS.includes(arg.kind as ConnectionKind)) throw new RedisExplorerError('INVALID', '"kind" must be "standalone", "cluster" or "sentinel".');
    profile.kind = arg.kind === 'standalone' ? undefined : (arg.kind as ConnectionKind);
  }
  const kind = profile.kind ?? 'standalone';
  if (kind !== 'cluster') {
    if (arg.readFromReplicas === true) {
      throw new RedisExplorerError('INVALID', `"readFromReplicas" is only for a cluster connection (kind "cluster"): "${profile.name}" is a ${kind} connection, which reads from its one server. Nothing was saved.`);
    }
    profile.nodes = undefined;
    profile.readFromReplicas = undefined;
  }
  if (kind !== 'sentinel') {
    profile.sentinels = undefined;
    profile.masterName = undefined;
  }
  if (kind === 'cluster') {
    if (profile.db) throw new RedisExplorerError('INVALID', `A cluster has only database 0: "db" ${profile.db} is refused. Nothing was saved.`);
    profile.db = undefined;
  }
  const list = (k: 'nodes' | 'sentinels'): HostPort[] | undefined => {
    const v = arg[k];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length === 0 || v.some((e) => !e || typeof e !== 'object' || typeof (e as HostPort).host !== 'string' || !Number.isInteger((e as HostPort).port))) {
      throw new RedisExplorerError('INVALID', `"${k}" must be a list of { host, port }.`);
    }
    return (v as HostPort[]).map((e) => ({ host: e.host, port: e.port }));
  };
  for (const k of ['nodes', 'sentinels'] as const) {
    const given = list(k);
    if (given === undefined) continue;
    if ((k === 'nodes' && kind !== 'cluster') || (k === 'sentinels' && kind !== 'sentinel')) {
      throw new RedisExplorerError('INVALID', `"${k}" is for a ${k === 'nodes' ? 'cluster' : 'sentinel'} connection (kind "${k === 'nodes' ? 'cluster' : 'sentinel'}").`);
    }
    profile[k] = given;
    // host/port follow the first entry unless given too
    if (!addressGiven) Object.assign(profile, given[0]);
  }
  const masterName = str('masterName');
  if (masterName !== undefined) {
    if (kind !== 'sentinel') throw new RedisExplorerError('INVALID', '"masterName" is for a sentinel connection (kind "sentinel").');
    profile.masterName = masterName;
  }
  // host/port given alone for a list kind: one seed (or one sentinel)
  if (addressGiven && kind === 'cluster' && arg.nodes === undefined) profile.nodes = undefined;
  if (addressGiven && kind === 'sentinel' && arg.sentinels === undefined) profile.sentinels = undefined;
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
