import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort } from './redisServer';

/** Phrases of ioredis, Node's net/tls and Redis's protocol that a user must never read in a message. */
export const LIBRARY_PHRASES =
  /maxRetriesPerRequest|max retries per request|Connection is closed|Stream isn't writeable|enableOfflineQueue|Command timed out|Command aborted|ECONNRESET|EPIPE|ETIMEDOUT|DB index is out of range|ReplyError|at .*\.js:\d+/;

/**
 * A redis-server the test controls: pause and resume the process (SIGSTOP/SIGCONT), shut it down and start
 * it again on the same port, run DEBUG SLEEP (started with --enable-debug-command). No persistence: a restart
 * comes back empty, like a cache that lost its data.
 */
export class FaultyRedis {
  private child: ChildProcess | undefined;
  private adminClient: Redis | undefined;
  readonly host = '127.0.0.1';

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private extraArgs: string[],
  ) {}

  static async start(extraArgs: string[] = []): Promise<FaultyRedis> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const server = new FaultyRedis(await freePort(), mkdtempSync(join(tmpdir(), 'rhe-faulty-')), extraArgs);
      if (await server.launch()) return server;
      rmSync(server.dir, { recursive: true, force: true });
    }
    throw new Error('could not start redis-server: is it installed?');
  }

  /** A plain client for setting up and checking data; it reconnects after a restart. */
  admin(): Redis {
    if (!this.adminClient) {
      this.adminClient = new Redis({ host: this.host, port: this.port, maxRetriesPerRequest: null, retryStrategy: () => 50 });
      // it reconnects while the server is down: those attempts are expected
      this.adminClient.on('error', () => undefined);
    }
    return this.adminClient;
  }

  get pid(): number {
    const pid = this.child?.pid;
    if (!pid) throw new Error('the server is not running');
    return pid;
  }

  pause(): void {
    process.kill(this.pid, 'SIGSTOP');
  }

  resume(): void {
    process.kill(this.pid, 'SIGCONT');
  }

  /** Stops the process (its clients see the connection close) and waits until it is gone. */
  async shutdown(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** Starts the server again on the same port (with other arguments from now on, when given: `--databases 4`). */
  async restart(extraArgs?: string[]): Promise<void> {
    await this.shutdown();
    if (extraArgs) this.extraArgs = extraArgs;
    for (let attempt = 0; attempt < 50; attempt++) {
      if (await this.launch()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`could not restart redis-server on port ${this.port}`);
  }

  /** Kills every client connection but the admin's (CLIENT KILL TYPE normal SKIPME yes). */
  async killClients(): Promise<void> {
    await this.admin().call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
  }

  /** The server sleeps for `seconds` without answering anyone; resolves when it is awake. */
  async sleep(seconds: number): Promise<void> {
    const c = new Redis({ host: this.host, port: this.port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on('error', () => undefined);
    try {
      await c.connect();
      await c.call('DEBUG', 'SLEEP', String(seconds));
    } finally {
      c.disconnect();
    }
  }

  async stop(): Promise<void> {
    this.adminClient?.disconnect();
    if (this.child?.pid) {
      try {
        process.kill(this.child.pid, 'SIGCONT');
      } catch {
        // already gone
      }
    }
    await this.shutdown();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private launch(): Promise<boolean> {
    const bin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, '--daemonize', 'no', '--enable-debug-command', 'yes', ...this.extraArgs];
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    return new Promise((resolve) => {
      let out = '';
      const done = (ok: boolean) => {
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        if (ok) {
          this.child = child;
          // keep draining its output so a full pipe never blocks it
          child.stdout?.resume();
          child.stderr?.resume();
        } else if (child.exitCode === null) child.kill('SIGKILL');
        resolve(ok);
      };
      const onData = (d: Buffer) => {
        out += d.toString();
        if (/Ready to accept connections/i.test(out)) done(true);
        else if (/Address already in use|FATAL|Fatal/i.test(out)) done(false);
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.on('error', () => done(false));
      child.on('exit', () => done(false));
    });
  }
}
