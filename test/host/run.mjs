// `npm run test:host`: runs the mocha suite in out/test/host/suite inside a real VS Code extension host.
//
// Entry point is @vscode/test-electron's runTests(), given test/host/code-shim.mjs as the "VS Code
// executable": the shim runs the suite in code-server (VS Code 1.96.4 server, Node extension host)
// through headless chromium, since VS Code desktop cannot be downloaded here.
//
// Needs: dist/extension.js (node esbuild.mjs) and out/ (npx tsc -p tsconfig.json); code-server is
// installed on first use by scripts/ensure-code-server.sh (cached outside the repository).
//
// Environment:
//   RHE_TEST_GREP        run only tests whose full title matches this regular expression (mocha --grep)
//   RHE_TEST_GREP_INVERT `1`: run the tests that do NOT match RHE_TEST_GREP
//   RHE_HOST_TIMEOUT_MS  overall limit (default 600000 = 10 min)
//   RHE_SERVER           the Redis the tests run against: redis7 (default), valkey8 or redis8 (test/support/redisServer.ts)
//   RHE_OUTPUT_SUFFIX    appended to the output file names, e.g. `-redis8`, so runs on two servers keep apart
//
// Writes .test-output/host<suffix>.log (the extension host's console and code-server's output) and
// .test-output/host<suffix>-result.json. The last line printed is `N passed, N failed`.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { codeServerEntry, repoRoot } from './codeServer.mjs';

const require = createRequire(import.meta.url);

const outDir = join(repoRoot, '.test-output');
const suffix = process.env.RHE_OUTPUT_SUFFIX ?? '';
if (!/^[\w.-]*$/.test(suffix)) fail(`RHE_OUTPUT_SUFFIX=${suffix}: letters, digits, '.', '_' and '-' only`);
const resultFile = join(outDir, `host${suffix}-result.json`);
const logFile = join(outDir, `host${suffix}.log`);
const shim = join(repoRoot, 'test', 'host', 'code-shim.mjs');
const suiteDir = join(repoRoot, 'out', 'test', 'host', 'suite');
const timeoutMs = Number(process.env.RHE_HOST_TIMEOUT_MS) || 600_000;

function fail(message) {
  console.error(`test:host: ${message}`);
  console.log('0 passed, 0 failed');
  process.exit(1);
}

const needed = [
  [join(repoRoot, 'dist', 'extension.js'), 'build the extension first: node esbuild.mjs'],
  [join(suiteDir, 'index.js'), 'compile the tests first: npx tsc -p tsconfig.json'],
  [join(repoRoot, 'out', 'test', 'support', 'redisServer.js'), 'compile the tests first: npx tsc -p tsconfig.json'],
];
for (const [file, hint] of needed) {
  if (!existsSync(file)) fail(`${file} is missing; ${hint}`);
}

// Install (first run, about a minute) or find code-server before the clock starts.
let entry;
try {
  entry = codeServerEntry();
} catch (err) {
  fail(err.message);
}

mkdirSync(outDir, { recursive: true });
rmSync(resultFile, { force: true });
const scratch = mkdtempSync(join(tmpdir(), 'rhe-host-'));
const workspace = join(scratch, 'workspace');
mkdirSync(workspace);
const shimPidFile = join(scratch, 'shim.pid');

let redis;
let cleaning;
/** Stops the shim (which stops code-server and chromium) and Redis, and removes the scratch folder. */
function cleanup() {
  cleaning ??= (async () => {
    if (existsSync(shimPidFile)) {
      const pid = Number(readFileSync(shimPidFile, 'utf8'));
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGTERM');
          for (let i = 0; i < 100; i++) {
            process.kill(pid, 0); // throws once it is gone
            await new Promise((r) => setTimeout(r, 100));
          }
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    await redis?.stop().catch(() => {});
    redis = undefined;
    rmSync(scratch, { recursive: true, force: true });
  })();
  return cleaning;
}

async function abort(message) {
  console.error(`test:host: ${message}`);
  await cleanup();
  console.log('0 passed, 0 failed');
  process.exit(1);
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => void abort(`stopped by ${sig}`));
}
const overall = setTimeout(() => void abort(`timed out after ${timeoutMs} ms; see ${logFile}`), timeoutMs);

let shimCode = 1;
try {
  const { startRedis } = require(join(repoRoot, 'out', 'test', 'support', 'redisServer.js'));
  redis = await startRedis();
  console.log(`test:host: on ${redis.server.product} ${redis.server.version} (${redis.server.kind})`);

  try {
    shimCode = await runTests({
      vscodeExecutablePath: shim,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: suiteDir,
      // What VS Code desktop would get; the shim uses the workspace folder and ignores the rest.
      launchArgs: [workspace, '--disable-extensions', `--user-data-dir=${join(scratch, 'user-data')}`, `--extensions-dir=${join(scratch, 'extensions')}`],
      extensionTestsEnv: {
        RHE_TEST_REDIS_PORT: String(redis.port),
        // The same server for the suite's own questions about it (serverBuild() in test/support/redisServer.ts).
        RHE_SERVER: redis.server.kind,
        ...(redis.server.kind === 'redis8' ? { RHE_REDIS8_BIN: redis.server.bin } : {}),
        ...(redis.server.kind === 'valkey8' ? { RHE_VALKEY8_BIN: redis.server.bin } : {}),
        RHE_TEST_RESULT_FILE: resultFile,
        RHE_HOST_LOG_FILE: logFile,
        RHE_SHIM_PID_FILE: shimPidFile,
        RHE_HOST_TIMEOUT_MS: String(Math.max(10_000, timeoutMs - 15_000)),
        CODE_SERVER_ENTRY: entry,
      },
    });
  } catch (err) {
    // runTests rejects when the program it ran exits with a non-zero code.
    shimCode = typeof err?.code === 'number' ? err.code : 1;
    if (!/Test run failed with code/.test(err?.message ?? '')) console.error(`test:host: ${err?.stack ?? err}`);
  }
} catch (err) {
  await abort(`${err?.stack ?? err}`);
} finally {
  clearTimeout(overall);
  await cleanup();
}

let result;
try {
  result = JSON.parse(readFileSync(resultFile, 'utf8'));
} catch {
  console.error(`test:host: the suite wrote no result (${resultFile}); did it run at all? See ${logFile}`);
  console.log('0 passed, 0 failed');
  process.exit(1);
}

const passes = Number(result.passes) || 0;
const failures = Number(result.failures) || 0;
let ok = shimCode === 0 && failures === 0;
if (passes === 0) {
  console.error('test:host: no test passed (nothing ran?)');
  ok = false;
}
if (shimCode !== 0 && failures === 0) console.error(`test:host: the test host exited with code ${shimCode}; see ${logFile}`);
for (const f of result.failed ?? []) {
  const first = String(f.error ?? '').split('\n')[0];
  console.error(`test:host: FAILED ${f.title}: ${first.length > 300 ? `${first.slice(0, 300)}...` : first}`);
}
console.log(`${passes} passed, ${failures} failed`);
process.exit(ok ? 0 : 1);
