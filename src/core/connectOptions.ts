import type { SshRoute } from './sshRoutes';
import type { SshTunnel } from './sshTunnel';

/** How a connection is opened beside its profile: secrets from SecretStorage, timeouts, the SSH tunnel to share. */
export interface ConnectOptions {
  password?: string;
  /** SSH (profile.ssh): the password or the private key's passphrase, from SecretStorage */
  sshPassword?: string;
  sshPassphrase?: string;
  /** the passphrase of the TLS client key (profile.tls.keyFile) */
  tlsKeyPassphrase?: string;
  /** SSH: the tunnel the connection's clients share (the pool keeps one per connection); none: one of its own */
  tunnel?: SshTunnel;
  /** SSH: details for the log (never a secret) */
  log?: (line: string) => void;
  /** SSH, set by open(): the local addresses to dial */
  route?: SshRoute;
  /** overrides profile.db */
  db?: number;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  /** longest pause between reconnect attempts after a connection that worked was lost */
  maxReconnectDelayMs?: number;
  /** reconnect attempts after a connection that worked was lost (default: for as long as it is open) */
  maxReconnects?: number;
  /** sentinel: the sentinels' password (ACL of the sentinels, not of the master) */
  sentinelPassword?: string;
  /** sentinel: how long a write waits for a replica to confirm it (WAIT 1 <ms>) */
  confirmTimeoutMs?: number;
  /** cluster: how often the slot map is re-read (a master stopped without closing its socket is found this way) */
  slotsRefreshIntervalMs?: number;
}
