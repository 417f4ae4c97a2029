#!/usr/bin/env node
// Stands in for the VS Code executable that @vscode/test-electron's runTests() spawns: it accepts VS
// Code's command line and runs the extension tests in code-server (a real VS Code server with a Node
// extension host) through a headless chromium, because VS Code desktop cannot be downloaded here.
//
//   code-shim.mjs [workspace] --extensionDevelopmentPath=DIR --extensionTestsPath=PATH [other flags, ignored]
//
// Exit status: what the workbench reports through codeAutomationExit (0 when the test runner's promise
// resolved, 1 when it rejected), or 1 on timeout, crash or signal.
//
// Environment (besides what the tests read, which reaches the extension host unchanged):
//   RHE_HOST_LOG_FILE     also write the extension host's console to this file
//   RHE_HOST_TIMEOUT_MS   give up after this long (default 600000)
//   RHE_SHIM_PID_FILE     write this process's pid here (so a supervisor can stop it)
//   RHE_HOST_HEADFUL=1    show the browser (needs a display)
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setInterval } from 'node:timers';
import { format } from 'node:util';
import { launchBrowser, remoteUri, startCodeServer, workbenchUrl } from './codeServer.mjs';

const started = Date.now();

function parseArgs(argv) {
  const out = { extensionDevelopmentPaths: [], extensionTestsPath: undefined, folder: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const name = a.startsWith('--') ? (eq === -1 ? a.slice(2) : a.slice(2, eq)) : undefined;
    const value = () => (eq !== -1 ? a.slice(eq + 1) : argv[++i]);
    if (name === 'extensionDevelopmentPath') out.extensionDevelopmentPaths.push(resolve(value()));
    else if (name === 'extensionTestsPath') out.extensionTestsPath = resolve(value());
    else if (name === 'folder-uri' || name === 'file-uri') value(); // not supported; ignored
    else if (name === undefined && !a.startsWith('-')) out.folder ??= resolve(a);
    // Everything else (--no-sandbox, --disable-extensions, --user-data-dir=..., ...) is for VS Code desktop.
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));
if (!args.extensionTestsPath || args.extensionDevelopmentPaths.length === 0) {
  console.error('code-shim: --extensionDevelopmentPath and --extensionTestsPath are required');
  process.exit(2);
}

const logFile = process.env.RHE_HOST_LOG_FILE;
if (logFile) {
  mkdirSync(dirname(logFile), { recursive: true });
  writeFileSync(logFile, '');
}
if (process.env.RHE_SHIM_PID_FILE) writeFileSync(process.env.RHE_SHIM_PID_FILE, `${process.pid}\n`);

const timeoutMs = Number(process.env.RHE_HOST_TIMEOUT_MS) || 600_000;
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
/** A line for the log file only. */
function note(line) {
  if (logFile) appendFileSync(logFile, `${line}\n`);
}
/** A line for stdout and the log file. */
function say(line) {
  process.stdout.write(`${line}\n`);
  note(line);
}

// The workbench's own connection chatter, which arrives through the same channel as the host's console.
const WORKBENCH_CHATTER =
  /^(Resolving connection token|Resolved connection token|Creating a socket|Updating additional builtin extensions cache|Ignoring fetching additional builtin extensions|\[Service Worker\]|\[remote-connection\])/;

let server;
let browser;
let finishing = false;

async function cleanup() {
  const b = browser;
  const s = server;
  browser = undefined;
  server = undefined;
  await Promise.allSettled([b?.close(), s?.stop()]);
}

async function finish(code, reason) {
  if (finishing) return;
  finishing = true;
  if (reason) {
    process.stderr.write(`code-shim: ${reason}\n`);
    note(`code-shim: ${reason}`);
  }
  const hard = setTimeout(() => process.exit(code || 1), 15_000);
  hard.unref();
  await cleanup();
  note(`code-shim: exit ${code} after ${elapsed()}`);
  process.exit(code);
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => void finish(1, `stopped by ${sig}`));
}
// If whoever started us disappears without stopping us, stop too (and take code-server and chromium along).
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void finish(1, 'parent process went away');
}, 1000).unref();
setTimeout(() => void finish(1, `timed out after ${timeoutMs} ms`), timeoutMs).unref();
process.on('uncaughtException', (err) => void finish(1, `crashed: ${err.stack ?? err}`));
process.on('unhandledRejection', (err) => void finish(1, `crashed: ${err?.stack ?? err}`));

try {
  server = await startCodeServer({
    env: process.env,
    onOutput: (s) => note(`[code-server] ${s.trimEnd()}`),
  });
  note(`code-server listening at ${server.url} after ${elapsed()}`);

  browser = await launchBrowser({
    headless: process.env.RHE_HOST_HEADFUL !== '1',
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  const page = await browser.newPage();

  // Both must exist before the workbench starts: it looks for them on window.
  let resolveExit;
  const exited = new Promise((r) => (resolveExit = r));
  await page.exposeFunction('codeAutomationLog', (type, logArgs) => {
    // The host's console calls arrive as (type, [format, ...values]), as given to console.log.
    const line = format(...(Array.isArray(logArgs) ? logArgs : [logArgs]));
    if (WORKBENCH_CHATTER.test(line)) note(line);
    else say(type === 'error' || type === 'warn' ? `[${type}] ${line}` : line);
  });
  await page.exposeFunction('codeAutomationExit', (code) => {
    const n = Number(code);
    resolveExit(Number.isInteger(n) ? n : 1);
  });
  page.on('pageerror', (err) => note(`[page error] ${err.stack ?? err}`));
  // Info-level browser console lines repeat what codeAutomationLog already got; keep the problems only.
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') note(`[browser ${msg.type()}] ${msg.text()}`);
  });
  page.on('crash', () => void finish(1, 'the browser page crashed'));

  const payload = [
    ...args.extensionDevelopmentPaths.map((p) => ['extensionDevelopmentPath', remoteUri(p)]),
    ['extensionTestsPath', remoteUri(args.extensionTestsPath)],
    ['skipWelcome', 'true'],
  ];
  const url = workbenchUrl(server.url, { folder: args.folder, payload });
  note(`opening ${url}`);
  await page.goto(url);
  note(`workbench page loaded after ${elapsed()}`);

  const code = await exited;
  note(`codeAutomationExit(${code}) after ${elapsed()}`);
  await finish(code);
} catch (err) {
  await finish(1, `failed: ${err?.stack ?? err}`);
}
