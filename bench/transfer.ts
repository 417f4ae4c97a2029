import { isUtf8 } from 'node:buffer';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { RedisConnection } from '../src/core/connection';
import { exportHash, FileSink } from '../src/core/exporting';
import { deleteFolder } from '../src/core/folderDelete';
import { fileSource } from '../src/core/importFormats';
import { importHash } from '../src/core/importing';
import { startRedis } from '../test/support/redisServer';
import type { Figure } from './report';
import { alternate, collect, figure, median, now, progress } from './report';
import { SHAPES, seedBigHash } from './seed';

/*
 * Export, import and folder delete, on a redis-server of their own (the 1,000,000-field hash only, plus
 * 100,000 keys seeded before each delete run): our core paths against bare ioredis loops doing the same
 * work, alternating, medians. The export's memory figure is absolute: the peak growth of heap plus
 * buffers while the export runs, sampled after every page (the "ratio" column holds ours, in MB).
 */

export const TRANSFER_FIGURES = [
  { name: 'export: 1,000,000-field hash to JSON (exportHash vs bare HSCAN loop writing the same JSON)', unit: 'ms', target: '<= 1.3' },
  { name: 'export: peak heap + buffer growth during the JSON export (absolute, MB)', unit: 'MB', target: '<= 100' },
  { name: 'import: 1,000,000 fields from NDJSON (importHash vs bare pipelined HSET loop)', unit: 'ms', target: '<= 1.3' },
  { name: 'folder delete: 100,000 keys (deleteFolder vs bare SCAN + UNLINK loop)', unit: 'ms', target: '<= 1.3' },
];

const FOLDER_KEYS = 100_000;

function used(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** The JSON exportFormats writes, inline: what a bare loop would write for the same hash. */
async function bareExport(client: Redis, key: string, file: string): Promise<number> {
  const t0 = now();
  const out = createWriteStream(file);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write('{');
  let cursor = '0';
  let n = 0;
  do {
    const [next, flat] = await client.hscanBuffer(key, cursor, 'COUNT', 1000);
    cursor = next.toString();
    let text = '';
    for (let i = 0; i < flat.length; i += 2) {
      const f = flat[i];
      const v = flat[i + 1];
      const value = isUtf8(v) ? JSON.stringify(v.toString('utf8')) : `{ "base64": ${JSON.stringify(v.toString('base64'))} }`;
      text += `${n++ ? ',' : ''}\n  ${JSON.stringify(f.toString('utf8'))}: ${value}`;
    }
    await write(text);
  } while (cursor !== '0');
  await write('\n}\n');
  await new Promise<void>((r) => out.end(() => r()));
  return now() - t0;
}

async function bareImport(client: Redis, key: string, file: string): Promise<number> {
  const t0 = now();
  let rest = '';
  let pipe = client.pipeline();
  let queued = 0;
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = rest + (chunk as string);
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      const row = JSON.parse(text.slice(from, nl)) as { field: string; value: string };
      pipe.hset(key, row.field, row.value);
      from = nl + 1;
      if (++queued === 1000) {
        await pipe.exec();
        pipe = client.pipeline();
        queued = 0;
      }
    }
    rest = text.slice(from);
  }
  if (queued) await pipe.exec();
  return now() - t0;
}

async function bareFolderDelete(client: Redis, prefix: string): Promise<number> {
  const t0 = now();
  let cursor = '0';
  do {
    const [next, keys] = await client.scanBuffer(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next.toString();
    if (keys.length) await client.unlink(...keys);
  } while (cursor !== '0');
  return now() - t0;
}

async function seedFolder(client: Redis, prefix: string): Promise<void> {
  for (let i = 0; i < FOLDER_KEYS; i += 10_000) {
    const p = client.pipeline();
    for (let j = i; j < i + 10_000; j++) p.hset(`${prefix}${j}`, 'f', 'v');
    await p.exec();
  }
}

export async function transferFigures(parts: { export: boolean; import: boolean; folder: boolean }, runs: number): Promise<Figure[]> {
  progress('transfer: starting redis-server');
  const server = await startRedis();
  const dir = mkdtempSync(join(tmpdir(), 'rhe-bench-xfer-'));
  let conn: RedisConnection | undefined;
  const client = new Redis({ host: '127.0.0.1', port: server.port, db: SHAPES.keyspaceDb, lazyConnect: true });
  const figures: Figure[] = [];
  try {
    progress(`transfer: seeding the ${SHAPES.bigHashFields.toLocaleString('en-US')}-field hash`);
    await seedBigHash(server.port);
    conn = await RedisConnection.open({ name: 'bench', host: '127.0.0.1', port: server.port, db: SHAPES.keyspaceDb }, { commandTimeoutMs: 120_000 });
    await client.connect();
    const k = conn;
    const key = Buffer.from(SHAPES.bigHash);

    if (parts.export) {
      progress('transfer: export');
      const ours = join(dir, 'ours.json');
      const bare = join(dir, 'bare.json');
      let peak = 0;
      const r = await alternate(
        runs,
        async () => {
          await collect();
          const base = used();
          const t0 = now();
          const sink = new FileSink(ours);
          const res = await exportHash(k, key, 'json', sink, { onProgress: () => void (peak = Math.max(peak, used() - base)) });
          await sink.commit();
          if (res.fields !== SHAPES.bigHashFields) throw new Error(`exported ${res.fields} fields`);
          return now() - t0;
        },
        () => bareExport(client, SHAPES.bigHash, bare),
      );
      if (statSync(ours).size !== statSync(bare).size) throw new Error('the two exports differ in size');
      figures.push(figure(TRANSFER_FIGURES[0].name, median(r.ours), median(r.baseline), 'ms', TRANSFER_FIGURES[0].target));
      const mb = peak / 1e6;
      figures.push({ name: TRANSFER_FIGURES[1].name, ours: Number(mb.toFixed(1)), baseline: '-', unit: 'MB', ratio: Number(mb.toFixed(1)), target: TRANSFER_FIGURES[1].target, met: mb <= 100 });
    }

    if (parts.import) {
      progress('transfer: import');
      const file = join(dir, 'in.ndjson');
      const sink = new FileSink(file);
      await exportHash(k, key, 'ndjson', sink);
      await sink.commit();
      const target = 'bench:import';
      const fresh = async () => {
        await client.del(target);
      };
      const r = await alternate(
        runs,
        async () => {
          await fresh();
          const t0 = now();
          const rep = await importHash(k, Buffer.from(target), fileSource(file), 'ndjson', 'overwrite');
          const ms = now() - t0;
          if (rep.added !== SHAPES.bigHashFields) throw new Error(`imported ${rep.added} fields`);
          return ms;
        },
        async () => {
          await fresh();
          const ms = await bareImport(client, target, file);
          if ((await client.hlen(target)) !== SHAPES.bigHashFields) throw new Error('the bare import missed fields');
          return ms;
        },
      );
      await fresh();
      figures.push(figure(TRANSFER_FIGURES[2].name, median(r.ours), median(r.baseline), 'ms', TRANSFER_FIGURES[2].target));
    }

    if (parts.folder) {
      progress('transfer: folder delete');
      const prefix = 'benchdel:';
      const r = await alternate(
        runs,
        async () => {
          await seedFolder(client, prefix);
          await collect();
          const t0 = now();
          const res = await deleteFolder(k, Buffer.from(prefix));
          const ms = now() - t0;
          if (res.deleted !== FOLDER_KEYS) throw new Error(`deleted ${res.deleted} keys`);
          return ms;
        },
        async () => {
          await seedFolder(client, prefix);
          await collect();
          const ms = await bareFolderDelete(client, prefix);
          if ((await client.dbsize()) !== 1) throw new Error('the bare delete missed keys');
          return ms;
        },
      );
      figures.push(figure(TRANSFER_FIGURES[3].name, median(r.ours), median(r.baseline), 'ms', TRANSFER_FIGURES[3].target));
    }
    return figures;
  } finally {
    await conn?.close();
    client.disconnect();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
