// Runs a real VS Code (code-server: VS Code server + web workbench, Node extension host) and a headless
// Debian chromium to drive it. Shared by the extension-host tests, the UI tests and the benchmark.
//
//   const server = await startCodeServer({ env: { FOO: '1' } });   // server.url, server.port
//   const browser = await launchBrowser();
//   const page = await browser.newPage();
//   await page.goto(workbenchUrl(server.url, { folder: '/abs/dir', payload: [['skipWelcome', 'true']] }));
//   ...; await browser.close(); await server.stop();
//
// code-server comes from scripts/ensure-code-server.sh (cached outside the repository), or from the
// entry script named by env CODE_SERVER_ENTRY.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');

/** code-server's remote authority in vscode-remote:// URIs: the literal string `remote`. */
export const REMOTE_AUTHORITY = 'remote';

/** `vscode-remote://remote/abs/path` for a path on this machine (what the workbench's payload expects). */
export function remoteUri(absPath) {
  const p = resolve(absPath).split('/').map(encodeURIComponent).join('/');
  return `vscode-remote://${REMOTE_AUTHORITY}${p}`;
}

/**
 * The workbench URL. `payload` is VS Code's list of [name, value] pairs, for example
 * [['extensionDevelopmentPath', remoteUri(dir)], ['extensionTestsPath', remoteUri(suite)], ['skipWelcome', 'true']].
 */
export function workbenchUrl(serverUrl, { folder, payload } = {}) {
  const url = new URL(serverUrl);
  if (folder) url.searchParams.set('folder', resolve(folder));
  if (payload && payload.length) url.searchParams.set('payload', JSON.stringify(payload));
  return url.toString();
}

let cachedEntry;
/** Path of code-server's entry script: env CODE_SERVER_ENTRY, else what scripts/ensure-code-server.sh prints. */
export function codeServerEntry() {
  if (cachedEntry) return cachedEntry;
  const fromEnv = process.env.CODE_SERVER_ENTRY;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CODE_SERVER_ENTRY=${fromEnv} does not exist`);
    return (cachedEntry = fromEnv);
  }
  const script = join(repoRoot, 'scripts', 'ensure-code-server.sh');
  let out;
  try {
    out = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  } catch (err) {
    throw new Error(`${script} failed (${err.status ?? err.message}); see its output above`);
  }
  const entry = out.trim().split('\n').pop();
  if (!entry || !existsSync(entry)) throw new Error(`${script} printed no usable code-server entry (got: ${out.trim()})`);
  return (cachedEntry = entry);
}

// Process groups we started and have not stopped yet: killed when this process exits, however it exits.
const liveGroups = new Set();
let exitHookInstalled = false;
function trackGroup(pid) {
  liveGroups.add(pid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const g of liveGroups) killGroup(g, 'SIGKILL');
    });
  }
}
function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** A copy of the environment without variables that would tie code-server to an enclosing VS Code. */
function cleanEnv(base) {
  const env = { ...base };
  for (const k of Object.keys(env)) {
    if (k.startsWith('VSCODE_') || k.startsWith('ELECTRON_')) delete env[k];
  }
  return env;
}

/** Throwaway HOME and XDG folders under `root`, as environment variables. */
function throwawayHome(root) {
  const home = join(root, 'home');
  const xdg = {
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_CACHE_HOME: join(home, '.cache'),
  };
  for (const d of Object.values(xdg)) mkdirSync(d, { recursive: true });
  return { HOME: home, ...xdg };
}

/** User settings for a quiet, deterministic workbench (no tours, updates, recommendations or telemetry). */
export const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  // Live updates change what an open view shows while a test writes behind it; the suites that test them turn them on.
  'redisHashExplorer.live.mode': 'off',
};

/**
 * Starts code-server on 127.0.0.1 with a free port and throwaway state (user data, extensions, config,
 * HOME, XDG folders). Resolves once it listens.
 *
 * @param {object} [options]
 * @param {Record<string, string | undefined>} [options.env] extra environment (reaches the extension host)
 * @param {string[]} [options.extraArgs] extra code-server arguments
 * @param {number} [options.timeoutMs] how long to wait for it to listen (default 60 s)
 * @param {(chunk: string) => void} [options.onOutput] receives code-server's stdout/stderr
 * @param {Record<string, unknown>} [options.settings] user settings, merged over DEFAULT_SETTINGS
 * @returns {Promise<{ url: string, port: number, pid: number, dirs: { root: string, userData: string, extensions: string, home: string }, output(): string, stop(): Promise<void> }>}
 */
export async function startCodeServer({ env = {}, extraArgs = [], timeoutMs = 60_000, onOutput, settings = {} } = {}) {
  const entry = codeServerEntry();
  const root = mkdtempSync(join(tmpdir(), 'rhe-code-server-'));
  const dirs = {
    root,
    userData: join(root, 'user-data'),
    extensions: join(root, 'extensions'),
    home: join(root, 'home'),
  };
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(join(dirs.userData, 'User', 'settings.json'), `${JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }, null, 2)}\n`);
  mkdirSync(dirs.extensions, { recursive: true });
  const config = join(root, 'config.yaml');
  writeFileSync(config, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
  const args = [
    entry,
    '--bind-addr', '127.0.0.1:0',
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--ignore-last-opened',
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
    '--config', config,
    ...extraArgs,
  ];
  const child = spawn(process.execPath, args, {
    cwd: root,
    // EXTENSIONS_GALLERY={}: no marketplace, so the offline workbench does not log failed gallery queries.
    env: { ...cleanEnv(process.env), EXTENSIONS_GALLERY: '{}', ...throwawayHome(root), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stop() also reaches the extension host and other children
  });
  trackGroup(child.pid);

  let output = '';
  let stopped;
  const stop = () => {
    stopped ??= new Promise((resolveStop) => {
      const finish = () => {
        clearTimeout(hard);
        liveGroups.delete(child.pid);
        killGroup(child.pid, 'SIGKILL'); // stragglers of the group
        rmSync(root, { recursive: true, force: true, maxRetries: 3 });
        resolveStop();
      };
      const hard = setTimeout(() => {
        killGroup(child.pid, 'SIGKILL');
        setTimeout(finish, 200);
      }, 5000);
      if (child.exitCode !== null || child.signalCode !== null) return finish();
      child.once('exit', finish);
      if (!killGroup(child.pid, 'SIGTERM')) finish();
    });
    return stopped;
  };

  const port = await new Promise((resolvePort, reject) => {
    const timer = setTimeout(() => fail(new Error(`code-server did not listen within ${timeoutMs} ms`)), timeoutMs);
    const onData = (d) => {
      const s = d.toString();
      output += s;
      onOutput?.(s);
      const m = /HTTP server listening on https?:\/\/[^\s:]+:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    };
    const fail = (err) => {
      clearTimeout(timer);
      stop().then(() => reject(new Error(`${err.message}\n--- code-server output ---\n${output}`)));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`code-server exited early (${code ?? signal})`)));
  });

  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    pid: child.pid,
    dirs,
    output: () => output,
    stop,
  };
}

/** Chromium flags that work headless, as root, in a container, offline. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Launches headless chromium (env CHROMIUM_PATH, else /usr/bin/chromium) with playwright-core and a
 * throwaway HOME that is removed when the browser closes. Options go to playwright's `chromium.launch`.
 * @param {import('playwright-core').LaunchOptions} [options]
 * @returns {Promise<import('playwright-core').Browser>}
 */
export async function launchBrowser(options = {}) {
  const { chromium } = await import('playwright-core');
  const executablePath = options.executablePath ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`chromium not found at ${executablePath}: install the Debian package chromium (or set CHROMIUM_PATH)`);
  }
  const root = mkdtempSync(join(tmpdir(), 'rhe-chromium-'));
  const { args = [], env = {}, ...rest } = options;
  let browser;
  try {
    browser = await chromium.launch({
      headless: true,
      ...rest,
      executablePath,
      args: [...CHROMIUM_ARGS, ...args],
      env: { ...cleanEnv(process.env), ...throwawayHome(root), ...env },
    });
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
  browser.once('disconnected', () => rmSync(root, { recursive: true, force: true, maxRetries: 3 }));
  return browser;
}
