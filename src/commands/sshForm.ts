import { homedir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { RedisExplorerError } from '../core/errors';
import type { ConnectionProfile } from '../core/profile';
import { normalizeFingerprint } from '../core/sshProfile';
import type { SshOptions } from '../core/sshProfile';
import type { SecretKind } from '../connections/connectionStore';
import { orCancel } from './command';
import type { Ask, ConnectionDraft, FormItem } from './formParts';
import { messageOf } from './formParts';
import type { PromptLayer } from './prompts';

/*
 * The SSH lines of the Add/Edit Connection review list: the bastion (host:port), the user, how to log in
 * (a private key file picked in a file dialog, with its passphrase; a password; the SSH agent when one
 * runs) and the trusted host key, which the first connect fills in after asking (sshTrust.ts).
 */

/** "bastion", "bastion:2222", "[v6]:22". */
function parseSshAddress(text: string): { host: string; port?: number } {
  const m = /^(?:\[([^\]]+)\]|([^:\s/@]+))(?::(\d{1,5}))?$/.exec(text.trim());
  if (!m) throw new RedisExplorerError('INVALID', 'Enter the SSH server as host or host:port.');
  const port = m[3] ? Number(m[3]) : undefined;
  if (port !== undefined && (port < 1 || port > 65535)) throw new RedisExplorerError('INVALID', `Invalid port ${m[3]}.`);
  return { host: m[1] ?? m[2], ...(port && port !== 22 ? { port } : {}) };
}

/** How the form shows a secret: new, removed, stored or none. */
export function secretLabel(draft: ConnectionDraft, kind: SecretKind): string {
  const given = draft[kind];
  if (given !== undefined) return given ? '(new, kept in secret storage)' : '(none)';
  return draft.stored?.includes(kind) ? '(stored in secret storage)' : '(none)';
}

function loginOf(ssh: SshOptions): string {
  return ssh.agent ? 'SSH agent' : ssh.privateKeyFile ? 'private key file' : 'password';
}

/** The review list's SSH lines for `draft` (one line while SSH is off). */
export function sshLines(prompts: PromptLayer, draft: ConnectionDraft, title: string, text: Ask): FormItem[] {
  const p = draft.profile;
  const ssh = p.ssh;
  const toggle: FormItem = {
    label: 'SSH tunnel',
    description: ssh ? `on: ${ssh.username}@${ssh.host}:${ssh.port ?? 22}` : 'off',
    detail: ssh ? undefined : 'Reach Redis through an SSH server (bastion)',
    edit: async () => {
      if (ssh) return void (p.ssh = undefined);
      const at = parseSshAddress(await text('SSH server: host or host:port (port 22 if none)', '', (v) => messageOf(() => parseSshAddress(v))));
      const username = (await text('SSH user name', '', (v) => (v.trim() ? undefined : 'A user name is needed.'))).trim();
      p.ssh = { ...at, username, privateKeyFile: join('~', '.ssh', 'id_ed25519') };
    },
  };
  if (!ssh) return [toggle];
  const set = (next: Partial<SshOptions>) => void (p.ssh = { ...ssh, ...next });
  const lines: FormItem[] = [
    toggle,
    {
      label: '    SSH server',
      description: `${ssh.host}:${ssh.port ?? 22}`,
      edit: async () => {
        const at = parseSshAddress(await text('SSH server: host or host:port', `${ssh.host}:${ssh.port ?? 22}`, (v) => messageOf(() => parseSshAddress(v))));
        // another server has another key: it is asked for again
        set({ ...at, port: at.port, hostKey: at.host === ssh.host && (at.port ?? 22) === (ssh.port ?? 22) ? ssh.hostKey : undefined });
      },
    },
    { label: '    SSH user', description: ssh.username, edit: async () => set({ username: (await text('SSH user name', ssh.username, (v) => (v.trim() ? undefined : 'A user name is needed.'))).trim() }) },
    { label: '    SSH log-in', description: loginOf(ssh), edit: () => pickLogin(prompts, draft, title, text) },
  ];
  if (ssh.privateKeyFile && !ssh.agent) {
    lines.push(
      { label: '    Private key file', description: ssh.privateKeyFile, edit: async () => set({ privateKeyFile: await pickKeyFile(prompts, title, ssh.privateKeyFile) }) },
      { label: '    Key passphrase', description: secretLabel(draft, 'sshPassphrase'), edit: async () => void (draft.sshPassphrase = await text('Passphrase of the private key (empty: none). Kept only in VS Code secret storage.', '', undefined, true)) },
    );
  }
  if (!ssh.privateKeyFile && !ssh.agent) {
    lines.push({ label: '    SSH password', description: secretLabel(draft, 'sshPassword'), edit: async () => void (draft.sshPassword = await text('SSH password. Kept only in VS Code secret storage.', '', undefined, true)) });
  }
  lines.push({ label: '    Host key', description: ssh.hostKey ?? '(asked on the first connect)', edit: () => editHostKey(prompts, p, title, text) });
  return lines;
}

async function pickLogin(prompts: PromptLayer, draft: ConnectionDraft, title: string, text: Ask): Promise<void> {
  const ssh = draft.profile.ssh as SshOptions;
  const agent = !!process.env.SSH_AUTH_SOCK;
  const options = [
    { label: 'Private key file', detail: 'OpenSSH, PEM or PuTTY; a passphrase is kept in secret storage', value: 'key' as const },
    { label: 'Password', detail: 'kept in secret storage', value: 'password' as const },
    ...(agent ? [{ label: 'SSH agent', detail: `the keys of the agent at SSH_AUTH_SOCK`, value: 'agent' as const }] : []),
  ];
  const picked = orCancel(await prompts.pick(options, { title, placeHolder: 'How to log in to the SSH server' }));
  if (picked.value === 'key') {
    draft.profile.ssh = { ...ssh, agent: undefined, privateKeyFile: await pickKeyFile(prompts, title, ssh.privateKeyFile) };
  } else if (picked.value === 'password') {
    draft.profile.ssh = { ...ssh, agent: undefined, privateKeyFile: undefined };
    draft.sshPassword = await text('SSH password. Kept only in VS Code secret storage.', '', undefined, true);
  } else draft.profile.ssh = { ...ssh, agent: true, privateKeyFile: undefined };
}

/** A private key file from the file dialog, opened in ~/.ssh (or where the current one is). */
function pickKeyFile(prompts: PromptLayer, title: string, current: string | undefined): Promise<string | undefined> {
  return pickFile(prompts, `${title}: private key file`, 'Use This Key', current, join(homedir(), '.ssh'));
}

/** A file from the file dialog, opened where `current` is (else in `folder`); dismissed: `current`. */
export async function pickFile(prompts: PromptLayer, title: string, openLabel: string, current: string | undefined, folder: string): Promise<string | undefined> {
  const start = current ? current.replace(/^~(?=$|[/\\])/, homedir()) : folder;
  const uri = await prompts.openFile({ title, openLabel, defaultUri: vscode.Uri.file(start), canSelectFolders: false });
  return uri ? uri.fsPath : current;
}

async function editHostKey(prompts: PromptLayer, p: ConnectionProfile, title: string, text: Ask): Promise<void> {
  const ssh = p.ssh as SshOptions;
  const choices = [
    { label: 'Ask on the next connect', detail: 'Forget the trusted key: the next test shows the server\'s fingerprint and asks', value: 'forget' as const },
    { label: 'Enter a fingerprint', detail: 'SHA256:… as ssh-keygen -l -E sha256 prints it', value: 'enter' as const },
  ];
  const picked = orCancel(await prompts.pick(choices, { title, placeHolder: ssh.hostKey ? `Trusted: ${ssh.hostKey}` : 'No key trusted yet' }));
  if (picked.value === 'forget') return void (p.ssh = { ...ssh, hostKey: undefined });
  const given = await text('Host key fingerprint (SHA256:…)', ssh.hostKey ?? '', (v) => (normalizeFingerprint(v) ? undefined : 'SHA256: and 43 base64 characters, as ssh-keygen -l -E sha256 prints it.'));
  p.ssh = { ...ssh, hostKey: normalizeFingerprint(given) };
}
