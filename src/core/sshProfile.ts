/*
 * The SSH part of a connection profile as settings hold it, and its checks. No ssh2 here: settings are read
 * and checked long before (and often without) any tunnel.
 */

/** SSH to a bastion, as stored with a connection (never a password or passphrase). */
export interface SshOptions {
  host: string;
  /** default 22 */
  port?: number;
  username: string;
  privateKeyFile?: string;
  /** log in with the keys of an SSH agent: true for SSH_AUTH_SOCK, or the agent's socket path */
  agent?: boolean | string;
  /** the trusted host key fingerprint, "SHA256:…" as `ssh-keygen -l` prints it */
  hostKey?: string;
}

const SSH_KEYS = ['host', 'port', 'username', 'privateKeyFile', 'agent', 'hostKey'] as const;

/** A fingerprint as given by a user: "SHA256:…", padding optional; undefined when it is not one. */
export function normalizeFingerprint(text: string): string | undefined {
  const m = /^SHA256:([A-Za-z0-9+/]{43})=?$/.exec(text.trim());
  return m ? `SHA256:${m[1]}` : undefined;
}

/** What is wrong with a profile's `ssh`, or undefined. */
export function sshProblem(name: string, ssh: unknown): string | undefined {
  if (ssh === undefined) return undefined;
  const at = `Connection "${name}": "ssh"`;
  if (!ssh || typeof ssh !== 'object' || Array.isArray(ssh)) return `${at} must be { host, port?, username, privateKeyFile?, agent?, hostKey? }.`;
  const s = ssh as Record<string, unknown>;
  const unknown = Object.keys(s).filter((k) => !(SSH_KEYS as readonly string[]).includes(k));
  if (unknown.length) return `${at} takes ${SSH_KEYS.join(', ')}; not ${unknown.join(', ')}.`;
  if (typeof s.host !== 'string' || !s.host.trim()) return `${at} needs a host (the bastion).`;
  if (s.port !== undefined && !(Number.isInteger(s.port) && (s.port as number) >= 1 && (s.port as number) <= 65535)) return `${at} has an invalid port.`;
  if (typeof s.username !== 'string' || !s.username.trim()) return `${at} needs a username.`;
  if (s.privateKeyFile !== undefined && (typeof s.privateKeyFile !== 'string' || !s.privateKeyFile)) return `${at}.privateKeyFile must be the path of a private key file.`;
  if (s.agent !== undefined && typeof s.agent !== 'boolean' && (typeof s.agent !== 'string' || !s.agent)) return `${at}.agent must be true (SSH_AUTH_SOCK) or the agent's socket path.`;
  if (s.hostKey !== undefined && (typeof s.hostKey !== 'string' || !normalizeFingerprint(s.hostKey))) {
    return `${at}.hostKey must be a SHA256 fingerprint ("SHA256:" and 43 base64 characters, as ssh-keygen -l -E sha256 prints it).`;
  }
  return undefined;
}

/** What is wrong with a client certificate in `tls`, or undefined: both files or neither. */
export function tlsFilesProblem(name: string, tls: unknown): string | undefined {
  if (!tls || typeof tls !== 'object') return undefined;
  const t = tls as Record<string, unknown>;
  for (const k of ['caFile', 'certFile', 'keyFile']) {
    if (t[k] !== undefined && (typeof t[k] !== 'string' || !t[k])) return `Connection "${name}": "tls.${k}" must be the path of a PEM file.`;
  }
  if (!t.certFile !== !t.keyFile) return `Connection "${name}": a client certificate needs both "tls.certFile" and "tls.keyFile".`;
  return undefined;
}
