// The test runner the extension host loads (VS Code's `extensionTestsPath`): runs every
// out/test/host/suite/**/*.test.js with mocha inside the host, so the tests can use the real `vscode` API.
//
// Environment (set by test/host/run.mjs, reaches the host through code-server's environment):
//   RHE_TEST_RESULT_FILE  write { passes, failures, pending, tests, failed } here when the run ends
//   RHE_TEST_GREP         run only tests whose full title matches this regular expression (mocha grep)
//   RHE_TEST_GREP_INVERT  `1`: run the tests that do NOT match RHE_TEST_GREP
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import { countUnhandled, unhandled } from './unhandled';

export interface HostTestResult {
  passes: number;
  failures: number;
  pending: number;
  /** Full titles of the tests that ran. */
  tests: string[];
  /** Full titles of the tests (or hooks) that failed, with their error message. */
  failed: { title: string; error: string }[];
}

function findTestFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...findTestFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.test.js')) files.push(full);
  }
  return files.sort();
}

function writeResult(result: HostTestResult): void {
  const file = process.env.RHE_TEST_RESULT_FILE;
  if (!file) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, reporter: 'spec', timeout: 20_000, slow: 2_000 });
  const grep = process.env.RHE_TEST_GREP;
  if (grep) {
    mocha.grep(grep);
    if (process.env.RHE_TEST_GREP_INVERT === '1') mocha.invert();
  }

  const files = findTestFiles(__dirname);
  for (const f of files) mocha.addFile(f);

  return new Promise<void>((resolve, reject) => {
    const result: HostTestResult = { passes: 0, failures: 0, pending: 0, tests: [], failed: [] };
    try {
      const runner = mocha.run((failures) => {
        const rejections = unhandled();
        for (const u of rejections) result.failed.push({ title: `unhandled rejection during "${u.during}"`, error: u.error });
        failures += rejections.length;
        result.failures = failures;
        writeResult(result);
        if (failures > 0) reject(new Error(`${failures} host test(s) failed`));
        else resolve();
      });
      countUnhandled(() => runner.currentRunnable?.fullTitle() ?? '(between tests)');
      runner.on('pass', (test) => {
        result.passes++;
        result.tests.push(test.fullTitle());
      });
      runner.on('fail', (test, err: Error) => {
        if (test.type === 'test') result.tests.push(test.fullTitle());
        result.failed.push({ title: test.fullTitle(), error: err.message });
      });
      runner.on('pending', () => {
        result.pending++;
      });
    } catch (err) {
      writeResult(result);
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
