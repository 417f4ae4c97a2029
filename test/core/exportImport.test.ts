import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisExplorerError } from '../../src/core/errors';
import type { ExportFormat } from '../../src/core/exportFormats';
import { redisQuote } from '../../src/core/exportFormats';
import { exportFields, exportFolder, exportHash, FileSink, TextSink } from '../../src/core/exporting';
import type { ChunkSource, ImportFormat } from '../../src/core/importFormats';
import { fileSource, textSource } from '../../src/core/importFormats';
import { applyImport, importHash, previewImport } from '../../src/core/importing';
import { admin, connect, redisPort, testServer } from './hooks';

/* Export and import of hashes against the real server, checked with a separate client. Database 12. */

const DB = 12;
const BIN_FIELD = Buffer.from([0xff, 0x00, 0x41, 0x0a, 0x22]);
const BIN_VALUE = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x5c, 0x22, 0x0d, 0x0a, 0x80]);

/** Every field of a hash as `name(hex) -> value(hex)`, read with HSCAN by the admin client. */
async function dump(key: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor = '0';
  do {
    const [next, flat] = await admin().hscanBuffer(key, cursor, 'COUNT', 1000);
    cursor = next.toString();
    for (let i = 0; i < flat.length; i += 2) out.set(flat[i].toString('hex'), flat[i + 1].toString('hex'));
  } while (cursor !== '0');
  return out;
}

function invalid(pattern: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof RedisExplorerError, String(err));
    assert.match(err.message, pattern);
    return true;
  };
}

/** A source that fails the test if anything reads it. */
const unreadable: ChunkSource = () => {
  throw new Error('the input was read');
};

describe('export and import', () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rhe-export-'));
  });
  beforeEach(async () => {
    await admin().select(DB);
    await admin().flushdb();
    await admin().hset('src', 'name', 'Ada', 'json', '{"x":[1,2]}', 'comma,quote"line\nbreak', 'é ü 中', '', 'empty name');
    await admin().hset('src', BIN_FIELD, BIN_VALUE, 'binval', BIN_VALUE);
  });
  after(async () => {
    await admin().flushdb();
    await admin().select(0);
    rmSync(dir, { recursive: true, force: true });
  });

  for (const format of ['json', 'ndjson', 'csv'] as ImportFormat[]) {
    it(`round-trips a binary-valued hash byte for byte through ${format}`, async () => {
      const conn = await connect({}, undefined, DB);
      const path = join(dir, `rt.${format}`);
      const sink = new FileSink(path);
      const r = await exportHash(conn, Buffer.from('src'), format, sink);
      await sink.commit();
      assert.deepEqual({ fields: r.fields, cancelled: r.cancelled }, { fields: 6, cancelled: false });
      const report = await importHash(conn, Buffer.from('copy'), fileSource(path), format, 'skip');
      assert.equal(report.added, 6);
      assert.deepEqual(await dump('copy'), await dump('src'));
    });
  }

  it('writes JSON with binary names and values as base64, marked', async () => {
    const conn = await connect({}, undefined, DB);
    const sink = new TextSink();
    await exportFields(conn, Buffer.from('src'), { fields: [Buffer.from('name'), BIN_FIELD, Buffer.from('missing')] }, 'json', sink);
    const doc = JSON.parse(sink.text()) as Record<string, unknown>;
    assert.equal(doc.name, 'Ada');
    assert.deepEqual(Object.values(doc)[1], { fieldBase64: BIN_FIELD.toString('base64'), base64: BIN_VALUE.toString('base64') });
    assert.equal(Object.keys(doc).length, 2);
  });

  it('writes a Redis command file that redis-cli replays byte for byte', async function () {
    if (!existsSync('/usr/bin/redis-cli')) this.skip();
    const conn = await connect({}, undefined, DB);
    await admin().expire('src', 5000);
    const sink = new TextSink();
    await exportHash(conn, Buffer.from('src'), 'redis', sink);
    const text = sink.text();
    assert.match(text, /^HSET "src" /);
    assert.match(text, /\nEXPIRE "src" \d+\n$/);
    const expected = await dump('src');
    await admin().del('src');
    execFileSync('/usr/bin/redis-cli', ['-p', String(redisPort()), '-n', String(DB)], { input: text });
    assert.deepEqual(await dump('src'), expected);
    assert.ok((await admin().ttl('src')) > 4000);
    assert.equal(redisQuote(Buffer.from('a"b\\c\n\x01')), '"a\\"b\\\\c\\n\\x01"');
  });

  it('carries field TTLs where the server has them, and refuses them where it has not', async () => {
    const conn = await connect({}, undefined, DB);
    const ndjson = '{"field":"a","value":"1","ttl":600}\n{"field":"b","value":"2"}\n';
    if (testServer().fieldTtl) {
      await admin().call('HEXPIRE', 'src', 900, 'FIELDS', 1, 'name');
      for (const format of ['json', 'ndjson', 'csv', 'redis'] as ExportFormat[]) {
        const sink = new TextSink();
        await exportHash(conn, Buffer.from('src'), format, sink);
        assert.match(sink.text(), format === 'redis' ? /HEXPIRE "src" (89\d|900) FIELDS 1 "name"/ : /(89\d|900)/, format);
      }
      const sink = new TextSink();
      await exportHash(conn, Buffer.from('src'), 'ndjson', sink);
      await importHash(conn, Buffer.from('copy'), textSource(sink.text()), 'ndjson', 'skip');
      const [ttl] = (await admin().call('HTTL', 'copy', 'FIELDS', 1, 'name')) as number[];
      assert.ok(ttl > 800 && ttl <= 900, String(ttl));
      // Overwriting a field keeps its TTL unless the input gives one.
      await importHash(conn, Buffer.from('copy'), textSource('{"name":"Bob"}'), 'json', 'overwrite');
      assert.equal(await admin().hget('copy', 'name'), 'Bob');
      const [kept] = (await admin().call('HTTL', 'copy', 'FIELDS', 1, 'name')) as number[];
      assert.ok(kept > 800 && kept <= 900, String(kept));
      await importHash(conn, Buffer.from('ttl'), textSource(ndjson), 'ndjson', 'skip');
      assert.deepEqual(((await admin().call('HTTL', 'ttl', 'FIELDS', 2, 'a', 'b')) as number[]).map((t) => (t > 0 ? 'set' : t)), ['set', -1]);
    } else {
      const sink = new TextSink();
      await exportHash(conn, Buffer.from('src'), 'ndjson', sink);
      assert.doesNotMatch(sink.text(), /"ttl"/);
      await assert.rejects(importHash(conn, Buffer.from('ttl'), textSource(ndjson), 'ndjson', 'skip'), invalid(/gives 1 fields a TTL.*Field TTLs need Redis 7\.4.*nothing was imported/));
      assert.equal(await admin().exists('ttl'), 0);
    }
  });

  it('applies each policy, and compare-and-set against the preview', async () => {
    const conn = await connect({}, undefined, DB);
    await admin().hset('dst', 'a', 'old-a', 'b', 'old-b');
    const input = textSource('{"a":"new-a","b":"new-b","c":"new-c"}');
    let r = await importHash(conn, Buffer.from('dst'), input, 'json', 'skip');
    assert.deepEqual([r.added, r.overwritten, r.skipped], [1, 0, 2]);
    assert.deepEqual(await admin().hgetall('dst'), { a: 'old-a', b: 'old-b', c: 'new-c' });
    await admin().hdel('dst', 'c');
    const preview = await previewImport(conn, Buffer.from('dst'), input, 'json', { conflicts: true, snapshot: true });
    assert.deepEqual([preview.rows, preview.conflicts, preview.first.map((x) => x.field.toString())], [3, 2, ['a', 'b', 'c']]);
    await admin().hset('dst', 'b', 'changed', 'c', 'appeared');
    r = await applyImport(conn, Buffer.from('dst'), input, 'json', 'compareAndSet', preview);
    assert.deepEqual([r.added, r.overwritten, r.failedCount], [0, 1, 2]);
    assert.deepEqual(r.failed.map((f) => `${f.field.toString()}: ${f.why}`), ['b: changed on the server since the preview', 'c: added on the server since the preview']);
    assert.deepEqual(await admin().hgetall('dst'), { a: 'new-a', b: 'changed', c: 'appeared' });
    r = await importHash(conn, Buffer.from('dst'), input, 'json', 'overwrite');
    assert.deepEqual([r.added, r.overwritten], [0, 3]);
    assert.deepEqual(await admin().hgetall('dst'), { a: 'new-a', b: 'new-b', c: 'new-c' });
  });

  const bad: Array<[string, ImportFormat, string, RegExp]> = [
    ['a JSON syntax error', 'json', '{\n  "a": "1",\n  "b" "2"\n}', /^Line 3, column 7: expected ":" after a field name/],
    ['a value that is not a string', 'json', '{"a": "1",\n "n": 42}', /^Line 2, column 2: the value of field "n" is a number/],
    ['a JSON array', 'json', '[1]', /^Line 1, column 1: a JSON import is one object/],
    ['text after the object', 'json', '{"a":"1"} x', /^Line 1, column 11: unexpected "x" after the end/],
    ['an unterminated string', 'json', '{"a":"1", "b": "2', /^Line 1, column 16: the text ends inside a string/],
    ['a duplicate field', 'json', '{"a":"1",\n"b":"2",\n"a":"3"}', /^Line 3: the field "a" appears twice \(first on line 1\)/],
    ['bad base64', 'json', '{"a": {"base64": "@@"}}', /^Line 1, column 2: "base64" is not valid base64/],
    ['an unknown member', 'json', '{"a": {"value": "x", "type": "s"}}', /unknown member "type"/],
    ['an NDJSON syntax error', 'ndjson', '{"field":"a","value":"1"}\n{"field":"b","value":2}\n{"field":"c" "value":"3"}', /^Line 2, column 1: the value is a number/],
    ['an NDJSON bad line', 'ndjson', '{"field":"a","value":"1"}\n\n{"field":"c" "value":"3"}', /^Line 3, column 13: expected ":"|^Line 3, column 14: expected "," or "}"/],
    ['an NDJSON duplicate', 'ndjson', '{"field":"a","value":"1"}\n{"field":"a","value":"2"}', /^Line 2: the field "a" appears twice/],
    ['a CSV stray quote', 'csv', 'field,value\na,1\nb,x"y\n', /^Line 3, column 4: a quote inside a cell/],
    ['a CSV unclosed quote', 'csv', 'field,value\na,"1\nb,2\n', /^Line 2, column 3: a quoted cell that never ends/],
    ['a CSV short row', 'csv', 'field,value\na,1\nb\n', /^Line 3: 1 cells where the header has 2/],
    ['a CSV unknown column', 'csv', 'field,value,colour\n', /^Line 1: unknown column "colour"/],
    ['an empty file', 'json', '', /the input is empty/],
  ];
  for (const [what, format, text, message] of bad) {
    it(`refuses ${what} and writes nothing`, async () => {
      const conn = await connect({}, undefined, DB);
      // The bad part comes after valid rows: nothing of those is written either.
      await assert.rejects(importHash(conn, Buffer.from('dst'), textSource(text), format, 'overwrite'), invalid(new RegExp(`${message.source}.*Nothing was written\\.$`, 's')));
      assert.equal(await admin().exists('dst'), 0);
    });
  }

  it('refuses bytes that are not UTF-8 text', async () => {
    const conn = await connect({}, undefined, DB);
    const source: ChunkSource = async function* () {
      yield Buffer.from('{"a": "');
      yield Buffer.from([0xff, 0xfe]);
      yield Buffer.from('"}');
    };
    await assert.rejects(importHash(conn, Buffer.from('dst'), source, 'json', 'overwrite'), invalid(/not UTF-8 text/));
    assert.equal(await admin().exists('dst'), 0);
  });

  it('reads values split across chunks at any point', async () => {
    const conn = await connect({}, undefined, DB);
    const text = JSON.stringify({ 'a\u00e9': 'x\\"\n\u4e2d', b: { base64: BIN_VALUE.toString('base64') }, c: 'plain' }, null, 1);
    const bytes = Buffer.from(text);
    for (const size of [1, 2, 3, 5, 7]) {
      const source: ChunkSource = async function* () {
        for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
      };
      const r = await importHash(conn, Buffer.from(`split${size}`), source, 'json', 'skip');
      assert.equal(r.added, 3);
      assert.equal(await admin().hget(`split${size}`, 'a\u00e9'), 'x\\"\n\u4e2d');
      assert.deepEqual(await admin().hgetBuffer(`split${size}`, 'b'), BIN_VALUE);
    }
  });

  it('refuses a read-only connection before reading the input, and a key that is not a hash', async () => {
    const ro = await connect({ readOnly: true }, undefined, DB);
    await assert.rejects(importHash(ro, Buffer.from('dst'), unreadable, 'json', 'skip'), (e: unknown) => e instanceof RedisExplorerError && e.code === 'READONLY');
    await admin().set('str', 'x');
    const conn = await connect({}, undefined, DB);
    await assert.rejects(importHash(conn, Buffer.from('str'), unreadable, 'json', 'skip'), invalid(/is a string, not a hash; nothing was imported/));
  });

  it('stops between batches on Cancel: whole batches only', async () => {
    const conn = await connect({}, undefined, DB);
    const lines = Array.from({ length: 5500 }, (_, i) => JSON.stringify({ field: `f${i}`, value: `v${i}` })).join('\n');
    const controller = new AbortController();
    const r = await importHash(conn, Buffer.from('big'), textSource(lines), 'ndjson', 'overwrite', { signal: controller.signal, onProgress: () => controller.abort() });
    assert.equal(r.cancelled, true);
    assert.equal(r.added, 1000);
    assert.equal(await admin().hlen('big'), 1000);
    assert.equal(await admin().hget('big', 'f999'), 'v999');
  });

  it('stops when the key is deleted during the import, and never recreates it', async () => {
    const conn = await connect({}, undefined, DB);
    const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ field: `f${i}`, value: 'v' })).join('\n');
    let calls = 0;
    const r = await importHash(conn, Buffer.from('gone'), textSource(lines), 'ndjson', 'skip', {
      onProgress: async () => {
        if (calls++ === 0) await admin().del('gone');
      },
    });
    assert.equal(r.added, 1000);
    assert.match(r.stopped ?? '', /was deleted during the import; the fields from line 1001 on were not imported/);
    assert.equal(await admin().exists('gone'), 0);
  });

  it('cancels an export and leaves no file', async () => {
    const conn = await connect({}, undefined, DB);
    await admin().hset('many', Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`f${i}`, 'v'])));
    const path = join(dir, 'cancelled.json');
    writeFileSync(path, 'previous');
    const controller = new AbortController();
    const sink = new FileSink(path);
    const r = await exportHash(conn, Buffer.from('many'), 'json', sink, { signal: controller.signal, onProgress: () => controller.abort() });
    assert.equal(r.cancelled, true);
    await sink.discard();
    assert.equal(readFileSync(path, 'utf8'), 'previous');
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('cancelled')), ['cancelled.json']);
  });

  it('exports the hashes under a folder prefix, glob characters taken literally', async () => {
    const conn = await connect({}, undefined, DB);
    await admin().hset('a*[b]:1', 'f', '1');
    await admin().hset('a*[b]:2', 'g', '2');
    await admin().hset('aX[b]:3', 'h', '3');
    await admin().set('a*[b]:s', 'string');
    const sink = new TextSink();
    const r = await exportFolder(conn, Buffer.from('a*[b]:'), 'ndjson', sink);
    assert.deepEqual([r.keys, r.fields, r.skippedKeys], [2, 2, 1]);
    const rows = sink.text().trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>).sort((x, y) => x.key.localeCompare(y.key));
    assert.deepEqual(rows, [{ key: 'a*[b]:1', field: 'f', value: '1' }, { key: 'a*[b]:2', field: 'g', value: '2' }]);
    const json = new TextSink();
    await exportFolder(conn, Buffer.from('a*[b]:'), 'json', json);
    assert.deepEqual(JSON.parse(json.text()), { 'a*[b]:1': { f: '1' }, 'a*[b]:2': { g: '2' } });
  });
});
