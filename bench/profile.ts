import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from 'node:inspector';

/*
 * RHE_BENCH_PROFILE=<dir>: a V8 CPU profile of only the timed call (not the seeding, not the baseline), one
 * .cpuprofile per run, for Chrome DevTools or VS Code. Samples are taken on the wall clock: time the thread
 * sat preempted (e.g. in a socket write that woke redis-server on this 2-core machine) shows as that frame.
 */
const dir = process.env.RHE_BENCH_PROFILE;
let session: Session | undefined;
let runs = 0;

function post(method: string, params?: object): Promise<unknown> {
  return new Promise((resolve, reject) => (session as Session).post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
}

/** Runs `f`; with RHE_BENCH_PROFILE set, under the profiler, written to `<dir>/<name>-<n>.cpuprofile`. */
export async function profiled<T>(name: string, f: () => Promise<T>): Promise<T> {
  if (!dir) return f();
  if (!session) {
    session = new Session();
    session.connect();
    await post('Profiler.enable');
  }
  await post('Profiler.start');
  try {
    return await f();
  } finally {
    const { profile } = (await post('Profiler.stop')) as { profile: object };
    writeFileSync(join(dir, `${name}-${++runs}.cpuprofile`), JSON.stringify(profile));
  }
}
