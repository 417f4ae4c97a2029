import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { utils } from 'ssh2';
import type { ParsedKey } from 'ssh2';
import { RedisExplorerError } from './errors';
import type { ErrorCode } from './errors';

export { normalizeFingerprint } from './sshProfile';

/** Why an SSH hop failed; `fingerprint` is the key the server offered, when the host key was the problem. */
type SshFailure = 'refused' | 'host' | 'timeout' | 'auth' | 'hostKeyUnknown' | 'hostKeyChanged' | 'key' | 'target' | 'closed';

export class SshError extends RedisExplorerError {
  constructor(
    code: ErrorCode,
    readonly reason: SshFailure,
    message: string,
    readonly fingerprint?: string,
    detail?: unknown,
  ) {
    super(code, message, detail);
    this.name = 'SshError';
  }
}

/** "SHA256:<base64 without padding>" of a raw public key, as OpenSSH prints it. */
export function fingerprintOf(key: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}


/**
 * The private key, read and decrypted before anything is sent, so a missing file, a file that is not a key and
 * a wrong or missing passphrase each get their own message.
 */
export function readPrivateKey(file: string, passphrase?: string): ParsedKey {
  let data: Buffer;
  try {
    // "~/.ssh/id_ed25519" as people write it in ssh's own config.
    data = readFileSync(file.replace(/^~(?=$|[/\\])/, homedir()));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : 'it cannot be read';
    throw new SshError('INVALID', 'key', `SSH: cannot read the private key file "${file}": ${why}. Nothing was sent.`, undefined, err);
  }
  const parsed = utils.parseKey(data, passphrase);
  const key = Array.isArray(parsed) ? (parsed[0] as ParsedKey | Error | undefined) : parsed;
  if (key instanceof Error || !key) {
    const text = key instanceof Error ? key.message : '';
    if (/no passphrase given/i.test(text)) {
      throw new SshError('AUTH', 'key', `SSH: the private key "${file}" is encrypted: its passphrase is needed. Nothing was sent.`, undefined, key);
    }
    if (passphrase !== undefined && /decrypt|bad passphrase|integrity|padding/i.test(text)) {
      throw new SshError('AUTH', 'key', `SSH: wrong passphrase for the private key "${file}". Nothing was sent.`, undefined, key);
    }
    throw new SshError('INVALID', 'key', `SSH: "${file}" is not a private key (OpenSSH, PEM or PuTTY format). Nothing was sent.`, undefined, key);
  }
  if (!key.isPrivateKey()) {
    throw new SshError('INVALID', 'key', `SSH: "${file}" is a public key: give the private key file. Nothing was sent.`);
  }
  return key;
}
