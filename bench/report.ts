import { writeFileSync } from 'node:fs';

/** One line of bench/results.json. `ratio` is always read against `target`, e.g. "<= 1.15" or ">= 100". */
export interface Figure {
  name: string;
  ours: number | string;
  baseline: number | string;
  unit: string;
  ratio: number | null;
  target: string;
  met: boolean;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function now(): number {
  return performance.now();
}

/** A full collection (node --expose-gc), so no run pays for the garbage of the one before. */
export async function collect(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run node with --expose-gc');
  gc();
  await new Promise((r) => setImmediate(r));
}

/**
 * Runs ours and baseline alternately `runs` times each (the order flips every round) and returns both
 * lists. `fullGc`: a full collection before each run, so no run pays for the garbage of the one
 * before; for runs of a second or more. A sub-millisecond run right after a full collection is
 * slowed by it (fresh heap pages), so those go without and rely on the median.
 */
export async function alternate(
  runs: number,
  ours: () => Promise<number>,
  baseline: () => Promise<number>,
  fullGc = true,
): Promise<{ ours: number[]; baseline: number[]; oursCpu: number[]; baselineCpu: number[] }> {
  const o: number[] = [];
  const b: number[] = [];
  const oc: number[] = [];
  const bc: number[] = [];
  // CPU time of this process (user + system, ms) beside wall time: on a busy machine the extra CPU work of
  // our path shows here even when the wall time hides it behind waits on Redis.
  const one = async (f: () => Promise<number>, into: number[], cpuInto: number[]) => {
    if (fullGc) await collect();
    const c0 = process.cpuUsage();
    into.push(await f());
    const c = process.cpuUsage(c0);
    cpuInto.push((c.user + c.system) / 1000);
  };
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      await one(ours, o, oc);
      await one(baseline, b, bc);
    } else {
      await one(baseline, b, bc);
      await one(ours, o, oc);
    }
  }
  return { ours: o, baseline: b, oursCpu: oc, baselineCpu: bc };
}

function round(x: number): number {
  if (!Number.isFinite(x)) return x;
  const digits = Math.abs(x) >= 100 ? 1 : Math.abs(x) >= 1 ? 3 : 4;
  return Number(x.toFixed(digits));
}

/** ratio = ours / baseline, checked against "<= x"; or baseline / ours when `inverse` (for "N times sooner"). */
export function figure(name: string, ours: number, baseline: number, unit: string, target: string, inverse = false): Figure {
  const ratio = inverse ? baseline / ours : ours / baseline;
  const m = /^(<=|>=)\s*([\d.]+)$/.exec(target);
  if (!m) throw new Error(`bad target ${target}`);
  const limit = Number(m[2]);
  const met = Number.isFinite(ratio) && (m[1] === '<=' ? ratio <= limit : ratio >= limit);
  return { name, ours: round(ours), baseline: round(baseline), unit, ratio: round(ratio), target, met };
}

export function notMeasured(name: string, unit: string, target: string, reason: string): Figure {
  return { name, ours: `not measured: ${reason}`, baseline: 'not measured', unit, ratio: null, target, met: false };
}

export function printTable(figures: Figure[], out: (line: string) => void = (l) => process.stdout.write(l + '\n')): void {
  const rows = [['figure', 'ours', 'baseline', 'unit', 'ratio', 'target', 'met']];
  for (const f of figures) {
    rows.push([f.name, String(f.ours), String(f.baseline), f.unit, f.ratio === null ? '-' : String(f.ratio), f.target, f.met ? 'yes' : 'NO']);
  }
  const widths = rows[0].map((_, c) => Math.min(60, Math.max(...rows.map((r) => r[c].length))));
  const line = (r: string[]) => '| ' + r.map((cell, c) => cell.slice(0, 60).padEnd(widths[c])).join(' | ') + ' |';
  out(line(rows[0]));
  out('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows.slice(1)) out(line(r));
}

export function writeResults(path: string, figures: Figure[]): void {
  writeFileSync(path, JSON.stringify(figures, null, 2) + '\n');
}

/** Logs progress to stderr so stdout keeps only the table. */
export function progress(msg: string): void {
  process.stderr.write(`bench: ${msg}\n`);
}
