import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { Client } from 'ssh2';
import type { AnyAuthMethod, ClientChannel, ConnectConfig, ParsedKey } from 'ssh2';
import type { HostPort } from './profile';
import { SshError, fingerprintOf, readPrivateKey } from './sshKeys';
import { answerDataPromptly } from './sshWindow';
import { normalizeFingerprint } from './sshProfile';
import type { SshOptions } from './sshProfile';

export { SshError, fingerprintOf, normalizeFingerprint } from './sshKeys';
export type { SshOptions } from './sshProfile';

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
  /** local listeners kept ready for targets learnt later (default 4) */
  spareListeners?: number;
}

interface Listener {
  server: Server;
  local: HostPort;
  /** where its connections go through the bastion; none: they are closed */
  target?: HostPort;
}

function addr(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
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
  private readonly byTarget = new Map<string, Listener>();
  private readonly pending = new Map<string, Promise<HostPort>>();
  /** listeners already bound, handed to new targets at once (a synchronous address map cannot wait) */
  private readonly spares: Listener[] = [];
  /** closes every connection: where a synchronous map has no listener ready yet, never the address itself */
  private refuser: Listener | undefined;
  private refuserAt: HostPort = { host: '127.0.0.1', port: 0 };
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
    try {
      tunnel.refuser = await tunnel.newListener();
      tunnel.refuserAt = tunnel.refuser.local;
      await tunnel.refill();
    } catch (err) {
      await tunnel.close();
      throw err;
    }
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
    const known = this.byTarget.get(id);
    if (known) return Promise.resolve(known.local);
    let p = this.pending.get(id);
    if (!p) {
      p = (async () => {
        const probe = await this.channel(host, port);
        probe.destroy();
        const now = this.byTarget.get(id);
        if (now) return now.local;
        return this.assign(host, port, this.spares.shift() ?? (await this.newListener())).local;
      })();
      this.pending.set(id, p);
      const done = () => this.pending.delete(id);
      p.then(done, done);
    }
    return p;
  }

  /**
   * The local address for `host:port` now, for ioredis's synchronous `natMap` (cluster nodes and sentinel
   * masters it learns of): a ready listener is given to a new target at once. Should none be ready, a listener
   * is made for next time and this one answers with the address that closes every connection (the client
   * retries), so nothing ever goes to the target's own address around the tunnel.
   */
  forwardNow(host: string, port: number): HostPort {
    const id = addr(host, port);
    const known = this.byTarget.get(id);
    if (known) return known.local;
    const spare = this.spares.shift();
    if (spare) return this.assign(host, port, spare).local;
    if (!this.closed) this.forward(host, port).catch((err: unknown) => this.log(`SSH ${this.hop}: ${err instanceof Error ? err.message : String(err)}`));
    // Once closed, the refuser's address no longer listens: a client that asks still reaches nothing.
    return this.refuserAt;
  }

  /** Every address reached through this tunnel so far. */
  targets(): HostPort[] {
    return [...this.byTarget.values()].flatMap((l) => (l.target ? [l.target] : []));
  }

  /** The local address of a target already forwarded, or undefined. */
  forwarded(host: string, port: number): HostPort | undefined {
    return this.byTarget.get(addr(host, port))?.local;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const all = [...this.byTarget.values(), ...this.spares, ...(this.refuser ? [this.refuser] : [])];
    this.byTarget.clear();
    this.spares.length = 0;
    this.refuser = undefined;
    for (const s of this.sockets) s.destroy();
    await Promise.all(all.map((l) => new Promise<void>((resolve) => l.server.close(() => resolve()))));
    this.client?.end();
    this.client = undefined;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  private assign(host: string, port: number, listener: Listener): Listener {
    listener.target = { host, port };
    this.byTarget.set(addr(host, port), listener);
    this.log(`SSH ${this.hop}: ${addr(host, port)} is reached at ${addr(listener.local.host, listener.local.port)}`);
    this.refill().catch(() => undefined);
    return listener;
  }

  private async refill(): Promise<void> {
    const want = this.options.spareListeners ?? 4;
    while (!this.closed && this.spares.length < want) this.spares.push(await this.newListener());
  }

  private async newListener(): Promise<Listener> {
    const server = createServer((socket) => this.carry(socket, listener));
    const listener: Listener = { server, local: { host: '127.0.0.1', port: 0 } };
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    if (this.closed) {
      server.close();
      throw this.closedError();
    }
    listener.local.port = (server.address() as AddressInfo).port;
    return listener;
  }

  /** Pipes one local connection through a new channel; on failure the local socket is closed (Redis sees a reset). */
  private carry(socket: Socket, listener: Listener): void {
    const target = listener.target;
    if (!target) return void socket.destroy();
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.pause();
    this.channel(target.host, target.port).then(
      (ch) => {
        if (socket.destroyed) return void ch.destroy();
        ch.on('error', () => socket.destroy());
        ch.on('close', () => socket.destroy());
        socket.on('close', () => ch.destroy());
        answerDataPromptly(ch);
        socket.pipe(ch).pipe(socket);
        socket.resume();
      },
      (err: unknown) => {
        this.log(`SSH ${this.hop}: ${err instanceof Error ? err.message : String(err)}`);
        socket.destroy();
        // The SSH connection could not be re-opened: those following it learn why (a refused forward is not a loss).
        if (err instanceof SshError && err.reason !== 'target' && !this.closed && !this.client) {
          this.lost = err;
          for (const l of this.onLost) l(err);
        }
      },
    );
  }

  private async channel(host: string, port: number): Promise<ClientChannel> {
    const client = await this.connection();
    return new Promise<ClientChannel>((resolve, reject) => {
      client.forwardOut('127.0.0.1', 0, host, port, (err, ch) => {
        if (!err) return resolve(ch);
        // RFC 4254 reasons: 1 administratively prohibited, 2 connect failed, 4 resource shortage.
        const code = (err as Error & { reason?: number }).reason;
        const why = code === 2 || /connect failed/i.test(err.message) ? 'connection refused there' : code === 1 ? 'the SSH server does not allow forwarding there' : 'the SSH server refused the channel';
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
        // Requests are small: none waits for the ACK of the one before (Nagle).
        client.setNoDelay(true);
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
