import { RedisExplorerError } from '../core/errors';
import type { ConnectionProfile } from '../core/profile';
import { normalizeFingerprint, sshProblem } from '../core/sshProfile';
import type { SshOptions } from '../core/sshProfile';

/**
 * The scripted SSH and TLS-key fields of addConnection/editConnection: `ssh` replaces the SSH settings
 * (`null` removes them), `sshPassword`, `sshPassphrase` and `tlsKeyPassphrase` are secrets (SecretStorage
 * only; "" removes one). `tls` may carry `certFile`/`keyFile` (the client certificate) as settings do.
 */
export function sshArgs(
  arg: Record<string, unknown>,
  profile: ConnectionProfile,
  str: (k: string) => string | undefined,
): { sshPassword?: string; sshPassphrase?: string; tlsKeyPassphrase?: string } {
  if (arg.ssh === null) profile.ssh = undefined;
  else if (arg.ssh !== undefined) {
    const problem = sshProblem(profile.name, arg.ssh);
    if (problem) throw new RedisExplorerError('INVALID', `${problem} Nothing was saved.`);
    const given = arg.ssh as SshOptions;
    profile.ssh = {
      host: given.host.trim(),
      port: given.port === 22 ? undefined : given.port,
      username: given.username.trim(),
      privateKeyFile: given.privateKeyFile,
      agent: given.agent || undefined,
      hostKey: given.hostKey ? normalizeFingerprint(given.hostKey) : undefined,
    };
  }
  const sshPassword = str('sshPassword');
  const sshPassphrase = str('sshPassphrase');
  if ((sshPassword || sshPassphrase) && !profile.ssh) {
    throw new RedisExplorerError('INVALID', `"${sshPassword ? 'sshPassword' : 'sshPassphrase'}" is for a connection through SSH (give "ssh"). Nothing was saved.`);
  }
  if (sshPassphrase && !profile.ssh?.privateKeyFile) throw new RedisExplorerError('INVALID', '"sshPassphrase" is the passphrase of ssh.privateKeyFile, which is not set. Nothing was saved.');
  const tlsKeyPassphrase = str('tlsKeyPassphrase');
  if (tlsKeyPassphrase && !(typeof profile.tls === 'object' && profile.tls.keyFile)) {
    throw new RedisExplorerError('INVALID', '"tlsKeyPassphrase" is the passphrase of tls.keyFile, which is not set. Nothing was saved.');
  }
  return { sshPassword, sshPassphrase, tlsKeyPassphrase };
}
