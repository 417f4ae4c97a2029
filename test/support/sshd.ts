import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './redisServer';

/*
 * A real OpenSSH sshd on a free loopback port, from Debian's openssh-server that scripts/ensure-servers.sh
 * extracts into the cache (nothing installed system-wide, no systemd). Started as root it runs as `nobody`
 * (setpriv): an unprivileged sshd serves only the user it runs as, so that user is the test user; started by
 * another user it runs as that user.
 *
 * Log-in is by public key only. Password log-in is not offered: an unprivileged sshd cannot check a password
 * (PAM's pam_unix and sshd's own shadow lookup both need /etc/shadow, which only root reads, and `nobody` has
 * no password anyway). Keys made per run with ssh-keygen: a plain ed25519 key, a passphrase-protected RSA
 * key, and one that is not authorized.
 */

export interface SshKeys {
  /** ed25519, no passphrase, authorized */
  plain: string;
  /** RSA, protected by `passphrase`, authorized */
  encrypted: string;
  passphrase: string;
  /** ed25519, no passphrase, not in authorized_keys */
  stranger: string;
  /** a file that is not a key */
  notAKey: string;
}

export interface TestSshd {
  host: string;
  port: number;
  /** the user the server lets in */
  username: string;
  /** the server's host key, as `ssh-keygen -l -E sha256` prints it: "SHA256:…" */
  fingerprint: string;
  keys: SshKeys;
  /** an ssh-agent holding the plain key; stopped with the server */
  startAgent(): Promise<string>;
  /** sshd processes serving connections (not the listener): pause them to make a network blip */
  sessionPids(): number[];
  stop(): Promise<void>;
}

const repoRoot = resolve(__dirname, '..', '..', '..');
let tools: { sshd: string; bin: string } | undefined;

/** The cached sshd and client tools (scripts/ensure-servers.sh installs them on first use). */
function sshTools(): { sshd: string; bin: string } {
  if (tools) return tools;
  const out = execFileSync('bash', [join(repoRoot, 'scripts', 'ensure-servers.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const get = (name: string): string => {
    const m = new RegExp(`^${name}=(.+)$`, 'm').exec(out);
    if (!m) throw new Error(`scripts/ensure-servers.sh printed no ${name}= path`);
    return m[1].trim();
  };
  tools = { sshd: get('sshd'), bin: get('sshbin') };
  return tools;
}

function keygen(bin: string, args: string[]): void {
  execFileSync(join(bin, 'ssh-keygen'), ['-q', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function fingerprintOf(bin: string, pubFile: string): string {
  const out = execFileSync(join(bin, 'ssh-keygen'), ['-l', '-E', 'sha256', '-f', pubFile], { encoding: 'utf8' });
  const m = /(SHA256:[A-Za-z0-9+/]+)/.exec(out);
  if (!m) throw new Error(`ssh-keygen printed no SHA256 fingerprint: ${out}`);
  return m[1];
}

export async function startSshd(): Promise<TestSshd> {
  const { sshd, bin } = sshTools();
  const asRoot = process.getuid?.() === 0;
  const username = asRoot ? 'nobody' : userInfo().username;
  const dir = mkdtempSync(join(tmpdir(), 'rhe-sshd-'));
  // The cache may sit under a home folder `nobody` cannot enter: the server runs from copies in its own folder.
  const root = resolve(sshd, '..', '..', 'root');
  copyFileSync(join(root, 'usr', 'sbin', 'sshd'), join(dir, 'sshd'));
  chmodSync(join(dir, 'sshd'), 0o755);
  const libDir = join(dir, 'lib');
  execFileSync('mkdir', ['-p', libDir]);
  for (const f of readdirSync(join(root, 'usr', 'lib', 'x86_64-linux-gnu')).filter((n) => n.startsWith('libwrap.so'))) {
    copyFileSync(join(root, 'usr', 'lib', 'x86_64-linux-gnu', f), join(libDir, f));
  }

  keygen(bin, ['-t', 'ed25519', '-N', '', '-C', 'rhe-test-host', '-f', join(dir, 'host_ed25519')]);
  const keys: SshKeys = {
    plain: join(dir, 'id_plain'),
    encrypted: join(dir, 'id_encrypted'),
    passphrase: 'correct horse battery staple',
    stranger: join(dir, 'id_stranger'),
    notAKey: join(dir, 'not_a_key'),
  };
  keygen(bin, ['-t', 'ed25519', '-N', '', '-C', 'rhe-test-plain', '-f', keys.plain]);
  keygen(bin, ['-t', 'rsa', '-b', '2048', '-N', keys.passphrase, '-C', 'rhe-test-encrypted', '-f', keys.encrypted]);
  keygen(bin, ['-t', 'ed25519', '-N', '', '-C', 'rhe-test-stranger', '-f', keys.stranger]);
  writeFileSync(keys.notAKey, 'this is not a private key\n');
  const authorized = [keys.plain, keys.encrypted].map((k) => execFileSync('cat', [`${k}.pub`], { encoding: 'utf8' }).trim()).join('\n');
  writeFileSync(join(dir, 'authorized_keys'), authorized + '\n');
  const fingerprint = fingerprintOf(bin, join(dir, 'host_ed25519.pub'));

  const agents: ChildProcess[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    writeFileSync(
      join(dir, 'sshd_config'),
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(dir, 'host_ed25519')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        'StrictModes no',
        'UsePAM yes',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'AllowTcpForwarding yes',
        'PermitTTY no',
        'LogLevel VERBOSE',
        '',
      ].join('\n'),
    );
    if (asRoot) chownTree(dir, 65534, 65534);
    const env = `LD_LIBRARY_PATH=${libDir}`;
    const server = [join(dir, 'sshd'), '-D', '-e', '-f', join(dir, 'sshd_config')];
    const child = asRoot
      ? spawn('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'env', env, ...server], { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
      : spawn('env', [env, ...server], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const log: string[] = [];
    if (await waitListening(child, log)) {
      const stopAgents = () => Promise.all(agents.map((a) => stopGroup(a)));
      return {
        host: '127.0.0.1',
        port,
        username,
        fingerprint,
        keys,
        startAgent: async () => {
          const { socket, agent } = await startAgent(bin, dir, keys.plain);
          agents.push(agent);
          return socket;
        },
        sessionPids: () => sessionPids(child.pid ?? -1),
        stop: async () => {
          await stopAgents();
          // Connections are served by children in sessions of their own: they outlive the listener's group.
          const sessions = sessionPids(child.pid ?? -1);
          await stopGroup(child);
          for (const pid of sessions) tryKill(pid, 'SIGKILL');
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    await stopGroup(child);
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`could not start sshd from ${sshd}`);
}

function chownTree(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const f of readdirSync(dir, { recursive: true }) as string[]) chownSync(join(dir, f), uid, gid);
}

function waitListening(child: ChildProcess, log: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      log.push(d.toString());
      if (/Server listening on 127\.0\.0\.1/.test(out)) done(true);
      if (/Address already in use|Bind to port .* failed|fatal/i.test(out)) done(false);
    };
    const timer = setTimeout(() => done(false), 10000);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      resolve(ok);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('error', () => done(false));
    child.on('exit', () => done(false));
  });
}

/** ssh-agent on a socket of its own, holding `key`; resolves with the socket path once the key is in. */
async function startAgent(bin: string, dir: string, key: string): Promise<{ socket: string; agent: ChildProcess }> {
  const socket = join(dir, `agent-${Date.now()}-${Math.random().toString(36).slice(2)}.sock`);
  const agent = spawn(join(bin, 'ssh-agent'), ['-D', '-a', socket], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  for (let i = 0; i < 200 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 25));
  if (!existsSync(socket)) {
    await stopGroup(agent);
    throw new Error('ssh-agent did not create its socket');
  }
  execFileSync(join(bin, 'ssh-add'), ['-q', key], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: ['ignore', 'pipe', 'pipe'] });
  return { socket, agent };
}

/** Children of the listening sshd: one per SSH connection (and its privilege-separated helpers). */
function sessionPids(listener: number): number[] {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  const children = new Map<number, number[]>();
  for (const line of out.split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (!pid) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      found.push(c);
      walk(c);
    }
  };
  walk(listener);
  return found;
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function stopGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    if (child.pid) tryKill(-child.pid, 'SIGTERM');
    setTimeout(() => child.pid && tryKill(-child.pid, 'SIGKILL'), 3000).unref();
  });
}
