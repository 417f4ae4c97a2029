import type { RedisExplorerError } from '../core/errors';
import { SshError } from '../core/sshTunnel';
import { Cancelled } from './command';
import type { ConnectionDraft } from './connectionForm';
import type { PromptLayer } from './prompts';

/*
 * Trusting an SSH server's host key from the Add/Edit Connection form: the first connect shows the
 * fingerprint the server offers and asks; a key other than the trusted one is a warning, and only an
 * explicit "Trust the New Key" replaces it. The fingerprint is stored with the connection (ssh.hostKey).
 */

interface HostKeyProblem {
  /** the key the server offered, "SHA256:…" */
  fingerprint: string;
  /** a key is trusted, and this is another one */
  changed: boolean;
}

/** Whether a failure was the SSH server's host key (not trusted yet, or changed). */
export function hostKeyProblem(err: RedisExplorerError | undefined): HostKeyProblem | undefined {
  if (!(err instanceof SshError) || !err.fingerprint) return undefined;
  if (err.reason !== 'hostKeyUnknown' && err.reason !== 'hostKeyChanged') return undefined;
  return { fingerprint: err.fingerprint, changed: err.reason === 'hostKeyChanged' };
}

/** Asks whether to trust the offered key; the draft with it as ssh.hostKey, or Cancelled (nothing saved). */
export async function trustHostKey(prompts: PromptLayer, draft: ConnectionDraft, key: HostKeyProblem): Promise<ConnectionDraft> {
  const ssh = draft.profile.ssh;
  if (!ssh) throw new Cancelled();
  const hop = `${ssh.host}:${ssh.port ?? 22}`;
  const answer = key.changed
    ? await prompts.ask(
        `SSH: host key changed (${hop})`,
        `The server offered ${key.fingerprint}, but the trusted key is ${ssh.hostKey ?? '(none)'}. The server may have been reinstalled, or someone may be intercepting the connection. Trust the new key only if you know why it changed. Nothing is saved yet.`,
        'Trust the New Key',
      )
    : await prompts.ask(
        `Trust the SSH server ${hop}?`,
        `Its host key fingerprint is ${key.fingerprint}. Compare it with the server's own (ssh-keygen -l -E sha256 -f /etc/ssh/ssh_host_ed25519_key.pub on ${ssh.host}) before trusting it. It is stored with the connection; a server offering another key is refused.`,
        'Trust',
      );
  if (answer === undefined) throw new Cancelled();
  return { ...draft, profile: { ...draft.profile, ssh: { ...ssh, hostKey: key.fingerprint } } };
}
