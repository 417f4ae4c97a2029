import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { Client, utils } from 'ssh2';
import type { AnyAuthMethod, ClientChannel, ConnectConfig, ParsedKey } from 'ssh2';
import { RedisExplorerError } from './errors';
import type { ErrorCode } from './errors';
import type { HostPort } from './profile';

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

/** Secrets kept apart from the profile (SecretStorage). */
export interface SshSecrets {
  password?: string;
  passphrase?: string;
}

export interface SshTunnelOptions {
  readyTimeoutMs?: number;
  /** keepalive every this many ms; after `keepaliveCountMax` unanswered ones the SSH connection is given up */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** where `agent: true` looks (default: env SSH_AUTH_SOCK) */
  agentSocket?: string;
  /** details for the log channel; never a secret */
  log?: (line: string) => void;
}

/** Why an SSH hop failed; `fingerprint` is the key the server offered, when the host key was the problem. */
export type SshFailure = 'refused' | 'host' | 'timeout' | 'auth' | 'hostKeyUnknown' | 'hostKeyChanged' | 'key' | 'target' | 'closed';

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

/** A fingerprint as given by a user: "SHA256:…", padding optional; undefined when it is not one. */
export function normalizeFingerprint(text: string): string | undefined {
  const m = /^SHA256:([A-Za-z0-9+/]{43})=?$/.exec(text.trim());
  return m ? `SHA256:${m[1]}` : undefined;
}

function addr(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * The private key, read and decrypted before anything is sent, so a missing file, a file that is not a key and
 * a wrong or missing passphrase each get their own message.
 */
export function readPrivateKey(file: string, passphrase?: string): ParsedKey {
  let data: Buffer;
  try {
    data = readFileSync(file);
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

/**
 * One SSH connection to a bastion, shared by every Redis node reached through it: each target host:port gets a
 * local listener on 127.0.0.1 (random port) whose connections are carried by `forwardOut` channels.
 *
 * The host key is checked against the trusted fingerprint on every (re)connect: none trusted, or another one,
 * and the connection is refused. After the first connection, a lost SSH connection (keepalive unanswered, the
 * bastion restarted) is re-opened when a Redis client next connects to a local listener, so the local ports
 * (and any address map built on them) stay valid.
 */
export class SshTunnel {
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private readonly listeners = new Map<string, Promise<HostPort>>();
  private readonly mappedNow = new Map<string, HostPort>();
  private readonly servers = new Set<Server>();
  private readonly sockets = new Set<Socket>();
  private closed = false;
  private lost: SshError | undefined;
  private readonly onLost = new Set<(err: SshError) => void>();
  private opens = 0;

  private constructor(
    readonly ssh: SshOptions,
    private readonly secrets: SshSecrets,
    private readonly options: SshTunnelOptions,
    private readonly key: ParsedKey | undefined,
  ) {}

  /** The bastion, for messages: "bastion:22". */
  get hop(): string {
    return addr(this.ssh.host, this.ssh.port ?? 22);
  }

  /** How many SSH connections were opened so far (1 unless it had to reconnect). */
  get connections(): number {
    return this.opens;
  }

  /** Why the SSH connection was last lost, while it is down. */
  get failure(): SshError | undefined {
    return this.lost;
  }

  /** Opens the SSH connection (checking key, host key and log-in) and resolves once it is ready. */
  static async open(ssh: SshOptions, secrets: SshSecrets = {}, options: SshTunnelOptions = {}): Promise<SshTunnel> {
    const key = ssh.privateKeyFile ? readPrivateKey(ssh.privateKeyFile, secrets.passphrase) : undefined;
    const tunnel = new SshTunnel(ssh, secrets, options, key);
    await tunnel.connection();
    return tunnel;
  }

  /** Listener for the SSH connection being lost (it is re-opened on the next use). */
  onConnectionLost(listener: (err: SshError) => void): () => void {
    this.onLost.add(listener);
    return () => this.onLost.delete(listener);
  }

  /**
   * The local address that reaches `host:port` from the bastion. The first call for a target checks that the
   * bastion can reach it (one channel opened and closed), so an unreachable node fails here, by name.
   */
  forward(host: string, port: number): Promise<HostPort> {
    const id = addr(host, port);
    let known = this.listeners.get(id);
    if (!known) {
      known = this.listen(host, port);
      this.listeners.set(id, known);
      known.catch(() => this.listeners.delete(id));
    }
    return known;
  }

  /** The local address of a target already forwarded, without waiting (for a synchronous address map). */
  forwarded(host: string, port: number): HostPort | undefined {
    return this.mappedNow.get(addr(host, port));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.mappedNow.clear();
    for (const s of this.sockets) s.destroy();
    await Promise.all([...this.servers].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.client?.end();
    this.client = undefined;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  private async listen(host: string, port: number): Promise<HostPort> {
    const probe = await this.channel(host, port);
    probe.destroy();
    const server = createServer((socket) => this.carry(socket, host, port));
    this.servers.add(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    if (this.closed) {
      server.close();
      throw this.closedError();
    }
    const local = { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
    this.mappedNow.set(addr(host, port), local);
    this.log(`SSH ${this.hop}: ${addr(host, port)} is reached at ${addr(local.host, local.port)}`);
    return local;
  }

  /** Pipes one local connection through a new channel; on failure the local socket is closed (Redis sees a reset). */
  private carry(socket: Socket, host: string, port: number): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.pause();
    this.channel(host, port).then(
      (ch) => {
        if (socket.destroyed) return void ch.destroy();
        ch.on('error', () => socket.destroy());
        ch.on('close', () => socket.destroy());
        socket.on('close', () => ch.destroy());
        socket.pipe(ch).pipe(socket);
        socket.resume();
      },
      (err: unknown) => {
        this.log(`SSH ${this.hop}: ${err instanceof Error ? err.message : String(err)}`);
        socket.destroy();
      },
    );
  }

  private async channel(host: string, port: number): Promise<ClientChannel> {
    const client = await this.connection();
    return new Promise<ClientChannel>((resolve, reject) => {
      client.forwardOut('127.0.0.1', 0, host, port, (err, ch) => {
        if (!err) return resolve(ch);
        const why = /connect failed|refused/i.test(err.message) ? 'connection refused there' : /administratively prohibited|prohibited/i.test(err.message) ? 'forwarding is not allowed by the SSH server' : err.message;
        reject(new SshError('REFUSED', 'target', `SSH: the bastion ${this.hop} cannot reach ${addr(host, port)} (${why}). Nothing was sent to Redis.`, undefined, err));
      });
    });
  }

  private closedError(): SshError {
    return new SshError('CLOSED', 'closed', `SSH: the tunnel through ${this.hop} was closed.`);
  }

  /** The ready SSH connection, opening one when there is none. */
  private connection(): Promise<Client> {
    if (this.closed) return Promise.reject(this.closedError());
    if (this.client) return Promise.resolve(this.client);
    if (!this.connecting) {
      this.connecting = this.connect().finally(() => (this.connecting = undefined));
    }
    return this.connecting;
  }

  private connect(): Promise<Client> {
    const { ssh, secrets, options } = this;
    const trusted = ssh.hostKey ? normalizeFingerprint(ssh.hostKey) : undefined;
    if (ssh.hostKey && !trusted) {
      return Promise.reject(new SshError('INVALID', 'hostKeyUnknown', `SSH: "${ssh.hostKey}" is not a host key fingerprint: expected SHA256: and 43 base64 characters, as ssh-keygen -l prints it. Nothing was sent.`));
    }
    const agent = ssh.agent === true ? options.agentSocket ?? process.env.SSH_AUTH_SOCK : ssh.agent || undefined;
    if (ssh.agent === true && !agent) {
      return Promise.reject(new SshError('AUTH', 'auth', 'SSH: no SSH agent is running here (SSH_AUTH_SOCK is not set). Nothing was sent.'));
    }
    if (!this.key && !agent && secrets.password === undefined) {
      return Promise.reject(new SshError('INVALID', 'auth', `SSH: no way to log in to ${this.hop}: give a private key file, a password or an agent. Nothing was sent.`));
    }
    let offered: string | undefined;
    const config: ConnectConfig = {
      host: ssh.host,
      port: ssh.port ?? 22,
      username: ssh.username,
      readyTimeout: options.readyTimeoutMs ?? 20000,
      keepaliveInterval: options.keepaliveIntervalMs ?? 10000,
      keepaliveCountMax: options.keepaliveCountMax ?? 3,
      hostVerifier: (key: Buffer) => {
        offered = fingerprintOf(key);
        return offered === trusted;
      },
    };
    const methods: Array<'publickey' | 'agent' | 'password'> = [];
    if (this.key) methods.push('publickey');
    if (agent) methods.push('agent');
    if (secrets.password !== undefined) methods.push('password');
    const key = this.key;
    return new Promise<Client>((resolve, reject) => {
      const client = new Client();
      let ready = false;
      client.on('ready', () => {
        ready = true;
        this.opens++;
        this.client = client;
        this.lost = undefined;
        this.log(`SSH ${this.hop}: connected as ${ssh.username} (host key ${offered ?? '?'})`);
        resolve(client);
      });
      client.on('error', (err: Error & { level?: string; code?: string }) => {
        const e = this.explain(err, offered, trusted, methods);
        this.log(`SSH ${this.hop}: ${err.message}${err.level ? ` (${err.level})` : ''}`);
        if (!ready) reject(e);
        else this.lost = e;
      });
      client.on('close', () => {
        if (!ready) return reject(this.lost ?? new SshError('CLOSED', 'closed', `SSH: ${this.hop} closed the connection before log-in.`));
        if (this.client === client) this.client = undefined;
        if (this.closed) return;
        const e = this.lost ?? new SshError('CLOSED', 'closed', `SSH: the connection to ${this.hop} was lost.`);
        this.lost = e;
        this.log(`SSH ${this.hop}: connection lost; it is re-opened on the next use`);
        for (const l of this.onLost) l(e);
      });
      // The key is handed over already parsed and decrypted; the methods are tried in this order, each once.
      client.connect({ ...config, authHandler: this.authHandler(methods, key, agent) });
    });
  }

  /** The log-in methods in order, each tried once (ssh2 takes the list and moves on after a refusal). */
  private authHandler(methods: Array<'publickey' | 'agent' | 'password'>, key: ParsedKey | undefined, agent: string | undefined): AnyAuthMethod[] {
    const { username } = this.ssh;
    return methods.map((m): AnyAuthMethod =>
      m === 'publickey' && key
        ? { type: 'publickey', username, key }
        : m === 'agent' && agent
          ? { type: 'agent', username, agent }
          : { type: 'password', username, password: this.secrets.password ?? '' },
    );
  }

  private explain(err: Error & { level?: string; code?: string }, offered: string | undefined, trusted: string | undefined, methods: string[]): SshError {
    const hop = this.hop;
    if (offered && offered !== trusted) {
      if (!trusted) {
        return new SshError('AUTH', 'hostKeyUnknown', `SSH: the host key of ${hop} is not trusted yet; its fingerprint is ${offered}. Check it and pass it as ssh.hostKey to trust it. Nothing was sent to Redis.`, offered, err);
      }
      return new SshError('AUTH', 'hostKeyChanged', `SSH: host key changed (${hop}): the server offered ${offered}, but the trusted key is ${trusted}. The server may have been reinstalled, or someone may be intercepting the connection. Nothing was sent to Redis.`, offered, err);
    }
    if (err.level === 'client-authentication') {
      const tried = methods.map((m) => (m === 'publickey' ? 'the private key' : m === 'agent' ? "the agent's keys" : 'the password')).join(', ');
      return new SshError('AUTH', 'auth', `SSH: authentication failed (${this.ssh.username}@${hop}): the server refused ${tried || 'every method'}. Nothing was sent to Redis.`, undefined, err);
    }
    if (err.code === 'ECONNREFUSED') return new SshError('REFUSED', 'refused', `SSH: connection refused (${hop}). Is an SSH server running there?`, undefined, err);
    if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return new SshError('HOST', 'host', `SSH: host not found (${hop}).`, undefined, err);
    if (err.level === 'client-timeout' || err.code === 'ETIMEDOUT' || /timed out|keepalive/i.test(err.message)) {
      return new SshError('TIMEOUT', 'timeout', `SSH: ${hop} did not answer in time.`, undefined, err);
    }
    if (err.level === 'agent' || /agent/i.test(err.message)) return new SshError('AUTH', 'auth', `SSH: the SSH agent could not be used (is it running, and does it hold a key?). Nothing was sent to Redis.`, undefined, err);
    return new SshError('CLOSED', 'closed', `SSH: the connection to ${hop} failed (details in the log). Nothing was sent to Redis.`, undefined, err);
  }
}
