import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/*
 * The server the tests run on, chosen with env RHE_SERVER:
 *   redis7  (default) Debian 12's redis-server 7.0, or the binary named by REDIS_SERVER_BIN
 *   valkey8 Valkey 8.0: env RHE_VALKEY8_BIN, else the path scripts/ensure-servers.sh prints
 *   redis8  Redis 8.0:  env RHE_REDIS8_BIN,  else the path scripts/ensure-servers.sh prints
 * What a server can do is read from the binary's own `--version`, never from the label, so a test's
 * expectation follows the server that actually runs.
 */
export const SERVER_KINDS = ['redis7', 'valkey8', 'redis8'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

export interface ServerBuild {
  kind: ServerKind;
  /** what `--version` says the binary is */
  product: 'redis' | 'valkey';
  /** e.g. "8.0.2" (Valkey's own version, not the redis_version it reports for compatibility) */
  version: string;
  bin: string;
  /** HEXPIRE/HTTL and friends: Redis 7.4+, Valkey 9.0+ */
  fieldTtl: boolean;
}

/** A throwaway redis-server on a free loopback port, no persistence; stop() kills it and removes its folder. */
export interface TestRedis {
  port: number;
  /** set when started with --tls-port */
  tlsPort?: number;
  host: string;
  server: ServerBuild;
  stop(): Promise<void>;
}

/** RHE_SERVER, default redis7; an unknown name is an error rather than a silent fallback. */
export function serverKind(): ServerKind {
  const name = process.env.RHE_SERVER || 'redis7';
  const kind = SERVER_KINDS.find((k) => k === name);
  if (!kind) throw new Error(`RHE_SERVER=${name} is not one of ${SERVER_KINDS.join(', ')}`);
  return kind;
}

const repoRoot = resolve(__dirname, '..', '..', '..');
let ensured: Map<string, string> | undefined;

/** Paths of the cached Redis 8 and Valkey 8 (scripts/ensure-servers.sh installs them on first use). */
function ensureServers(): Map<string, string> {
  if (ensured) return ensured;
  const script = join(repoRoot, 'scripts', 'ensure-servers.sh');
  const out = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  ensured = new Map();
  for (const line of out.split('\n')) {
    const m = /^(\w+)=(.+)$/.exec(line.trim());
    if (m) ensured.set(m[1], m[2]);
  }
  return ensured;
}

export function serverBinary(kind: ServerKind): string {
  switch (kind) {
    case 'redis7':
      return process.env.REDIS_SERVER_BIN || 'redis-server';
    case 'valkey8':
      return process.env.RHE_VALKEY8_BIN || needPath(ensureServers().get('valkey8'), 'valkey8');
    case 'redis8':
      return process.env.RHE_REDIS8_BIN || needPath(ensureServers().get('redis8'), 'redis8');
  }
}

function needPath(path: string | undefined, name: string): string {
  if (!path) throw new Error(`scripts/ensure-servers.sh printed no ${name}= path`);
  return path;
}

const builds = new Map<ServerKind, ServerBuild>();

/** The server of `kind` (default: RHE_SERVER), from its binary's `--version` ("Redis server v=8.0.2 ..."). */
export function serverBuild(kind: ServerKind = serverKind()): ServerBuild {
  const known = builds.get(kind);
  if (known) return known;
  const bin = serverBinary(kind);
  let text: string;
  try {
    text = execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    throw new Error(`cannot run ${bin} --version (RHE_SERVER=${kind}): ${err instanceof Error ? err.message : String(err)}`);
  }
  const m = /^(Redis|Valkey) server v=(\d+\.\d+\.\d+)/.exec(text);
  if (!m) throw new Error(`${bin} --version printed no "Redis|Valkey server v=X.Y.Z": ${text.trim()}`);
  const product = m[1] === 'Valkey' ? 'valkey' : 'redis';
  const version = m[2];
  // A label naming another server than the binary is would test the wrong thing and pass anyway.
  const want = { redis7: ['redis', 7], valkey8: ['valkey', 8], redis8: ['redis', 8] } as const;
  const [wantProduct, wantMajor] = want[kind];
  const customRedis7 = kind === 'redis7' && !!process.env.REDIS_SERVER_BIN;
  if (!customRedis7 && (product !== wantProduct || major(version) !== wantMajor)) {
    throw new Error(`RHE_SERVER=${kind} but ${bin} is ${product} ${version}`);
  }
  const fieldTtl = product === 'redis' ? atLeast(version, 7, 4) : atLeast(version, 9, 0);
  const build: ServerBuild = { kind, product, version, bin, fieldTtl };
  builds.set(kind, build);
  return build;
}

function major(version: string): number {
  return Number(version.split('.')[0]);
}

function atLeast(version: string, maj: number, min: number): boolean {
  const [a, b] = version.split('.').map(Number);
  return a > maj || (a === maj && b >= min);
}

/** "redis 8.0.2 (redis8)", for test titles and logs. */
export function describeServer(build: ServerBuild = serverBuild()): string {
  return `${build.product} ${build.version} (${build.kind})`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * `tlsPort`: when extraArgs has --tls-port, the port it names (reported back as tlsPort).
 * `kind`: which server (default: env RHE_SERVER).
 */
export async function startRedis(extraArgs: string[] = [], tlsPort?: number, kind: ServerKind = serverKind()): Promise<TestRedis> {
  const server = serverBuild(kind);
  const bin = server.bin;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'rhe-redis-'));
    const child = spawn(
      bin,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', ...extraArgs],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const ready = await waitReady(child);
    if (ready) {
      return {
        port,
        tlsPort,
        host: '127.0.0.1',
        server,
        stop: () => stopChild(child).then(() => rmSync(dir, { recursive: true, force: true })),
      };
    }
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  }
  throw new Error(`could not start ${describeServer(server)} from ${bin}`);
}

function waitReady(child: ChildProcess): Promise<boolean> {
  return new Promise((resolve) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/Ready to accept connections/i.test(out)) done(true);
      if (/Address already in use|FATAL|Fatal/i.test(out)) done(false);
    };
    const timer = setTimeout(() => done(false), 10000);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve(ok);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('error', () => done(false));
    child.on('exit', () => done(false));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}
