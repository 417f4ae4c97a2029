import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { brotliCompressSync, constants, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { encode as msgpackEncode } from '@msgpack/msgpack';
import * as zstdWasm from '@bokuweb/zstd-wasm';
import * as lz4js from 'lz4js';
import * as snappyjs from 'snappyjs';
import { decode, MAX_OUTPUT, previewLine, zstdReady } from '../../src/core/decoders';
import type { Decoding } from '../../src/core/decoders';
import { compareAndSet, getField } from '../../src/core/hashOps';
import { admin, connect } from './hooks';

/*
 * Every decoder on fixtures made here: compressed with Node's zlib or the chosen library, pickled by python3,
 * PHP serialize strings built by hand. An editable form must give back the exact bytes when unchanged, and
 * an edit must decode to what was typed.
 */

const DOC = { user: 'ada', tags: ['x', 'y'], n: 42, nested: { ok: true, none: null, pi: 3.25 } };
const JSON_TEXT = JSON.stringify(DOC);

function editable(d: Decoding): (text: string) => Buffer {
  assert.equal(d.editable, true, `not editable: ${d.readOnlyReason}`);
  assert.ok(d.encode);
  return d.encode;
}

/** Decodes, checks the unchanged text gives the same bytes, edits, and checks the edit decodes back. */
async function roundTrip(raw: Buffer, spec: string, chain: string): Promise<void> {
  const d = await decode(raw, spec);
  assert.equal(d.chain, chain);
  const enc = editable(d);
  assert.ok(enc(d.view.text).equals(raw), `${chain}: unchanged text re-encodes to other bytes`);
  const edited = d.view.text.replace('ada', 'grace');
  assert.notEqual(edited, d.view.text, 'fixture has "ada"');
  const next = enc(edited);
  const again = await decode(next, spec);
  assert.equal(again.chain, chain);
  assert.equal(again.view.text, edited);
}

/** zstd from the same library, loaded once through the decoders (a second init would reset its memory). */
async function zstdCompress(b: Buffer, level = 3): Promise<Buffer> {
  await zstdReady();
  return Buffer.from(zstdWasm.compress(b, level));
}

function python(code: string): Buffer {
  return execFileSync('python3', ['-c', `import pickle, sys, datetime\nsys.stdout.buffer.write(${code})`]);
}

describe('value decoders', () => {
  describe('compressions and formats round-trip byte for byte', () => {
    const text = Buffer.from(JSON_TEXT);
    it('gzip at the default level, level 9 and level 1 (detected, header kept)', async () => {
      await roundTrip(gzipSync(text), 'auto', 'gzip+json');
      await roundTrip(gzipSync(text, { level: 9 }), 'auto', 'gzip+json');
      await roundTrip(gzipSync(text, { level: 1 }), 'gzip+json', 'gzip+json');
    });
    it('gzip written by python3 (its own zlib build, a time stamp in the header): editable where Node\'s zlib gives the same stream, else refused with the reason', async () => {
      const small = python(`__import__('gzip').compress(b'{"user":"ada"}', mtime=1700000000)`);
      assert.equal(small.readUInt32LE(4), 1700000000);
      await roundTrip(small, 'auto', 'gzip+json');
      const many = JSON.stringify(Array.from({ length: 40 }, (_, i) => ({ id: i, user: `user${(i * 7919) % 1000}` })));
      const d = await decode(python(`__import__('gzip').compress(${JSON.stringify(many)}.encode(), mtime=1700000000)`), 'auto');
      assert.equal(d.chain, 'gzip+json');
      assert.equal(d.editable, false);
      assert.match(d.readOnlyReason ?? '', /compressing the unchanged value again does not give back the same gzip bytes/);
    });
    it('zlib (detected) and raw deflate (chosen)', async () => {
      await roundTrip(deflateSync(text), 'auto', 'zlib+json');
      await roundTrip(deflateSync(text, { level: 9 }), 'auto', 'zlib+json');
      await roundTrip(deflateRawSync(text), 'deflate+json', 'deflate+json');
    });
    it('brotli at quality 11 and 4', async () => {
      await roundTrip(brotliCompressSync(text), 'brotli+json', 'brotli+json');
      await roundTrip(brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } }), 'brotli+json', 'brotli+json');
    });
    it('zstd (detected), LZ4 frame (detected), Snappy (chosen)', async () => {
      await roundTrip(await zstdCompress(text), 'auto', 'zstd+json');
      await roundTrip(await zstdCompress(text, 19), 'auto', 'zstd+json');
      await roundTrip(Buffer.from(lz4js.compress(text)), 'auto', 'lz4+json');
      await roundTrip(Buffer.from(snappyjs.compress(text)), 'snappy+json', 'snappy+json');
    });
    it('base64 text of gzip data, and gzip of plain text', async () => {
      await roundTrip(Buffer.from(gzipSync(text).toString('base64')), 'base64+gzip+json', 'base64+gzip+json');
      await roundTrip(gzipSync('hello ada\nsecond line\n'), 'auto', 'gzip+text');
    });
    it('MessagePack (detected), edited as JSON', async () => {
      await roundTrip(Buffer.from(msgpackEncode(DOC)), 'auto', 'msgpack');
      await roundTrip(gzipSync(Buffer.from(msgpackEncode(DOC))), 'auto', 'gzip+msgpack');
    });
    it('MessagePack with bytes and a 64-bit integer keeps them', async () => {
      const raw = Buffer.from(msgpackEncode({ user: 'ada', bin: new Uint8Array([0, 255, 1]), big: 2n ** 60n }, { useBigInt64: true }));
      const d = await decode(raw, 'auto');
      assert.match(d.view.text, /"\$base64": "AP8B"/);
      assert.match(d.view.text, /"\$bigint": "1152921504606846976"/);
      await roundTrip(raw, 'auto', 'msgpack');
    });
    it('PHP serialize built by hand: arrays, lists, objects, odd key order', async () => {
      const s = 'a:4:{s:4:"user";s:3:"ada";i:0;s:1:"x";s:4:"list";a:2:{i:0;i:1;i:1;d:1.5;}s:3:"obj";O:8:"stdClass":2:{s:1:"a";b:1;s:1:"n";N;}}';
      await roundTrip(Buffer.from(s), 'auto', 'php');
      const d = await decode(Buffer.from(s), 'auto');
      assert.match(d.view.text, /"__class": "stdClass"/);
      await roundTrip(Buffer.from('a:2:{i:0;s:3:"ada";i:1;s:3:"bob";}'), 'auto', 'php');
      await roundTrip(Buffer.from('s:5:"é ada";'.replace('5', String(Buffer.byteLength('é ada')))), 'php', 'php');
    });
    it('JSON in other layouts: indented kept, unusual spacing saved as typed, big integers not rounded', async () => {
      await roundTrip(Buffer.from(JSON.stringify(DOC, null, 4)), 'auto', 'json');
      await roundTrip(Buffer.from('{ "user" :"ada",  "id": 12345678901234567890 }'), 'auto', 'json');
      const d = await decode(Buffer.from('{"user":"ada","id":12345678901234567890}'), 'auto');
      assert.match(d.view.text, /12345678901234567890/);
    });
  });

  describe('read-only decoders say so', () => {
    it('a pickle made by python3 is shown, read-only', async () => {
      const raw = python(`pickle.dumps({'user': 'ada', 'n': [1, 2.5, None, True], 'b': b'\\x00\\x01'}, protocol=4)`);
      const d = await decode(raw, 'auto');
      assert.equal(d.chain, 'pickle');
      assert.equal(d.editable, false);
      assert.match(d.readOnlyReason ?? '', /read-only/);
      assert.deepEqual(JSON.parse(d.view.text), { user: 'ada', n: [1, 2.5, null, true], b: { $base64: 'AAE=' } });
    });
    it('a pickle that references classes names them and runs nothing', async () => {
      const raw = python(`pickle.dumps({'when': datetime.date(2020, 1, 2), 'user': 'ada'}, protocol=4)`);
      const d = await decode(raw, 'auto');
      assert.equal(d.chain, 'pickle');
      assert.match(d.notes.join(' '), /references Python classes \(.*datetime\.date/);
      assert.match(d.view.text, /"\$class": "datetime.date"/);
    });
    it('protobuf without a schema shows field numbers and wire types, read-only', async () => {
      // field 1 varint 150, field 2 "ada", field 3 a nested message {1: 7}
      const raw = Buffer.from('089601120361646a1a020807', 'hex');
      const d = await decode(raw, 'protobuf');
      assert.equal(d.editable, false);
      assert.deepEqual(JSON.parse(d.view.text), [{ '1:varint': '150' }, { '2:bytes': 'adj' }, { '3:bytes': [{ '1:varint': '7' }] }]);
    });
    it('binary that is no known format is a hex dump with offsets', async () => {
      const d = await decode(Buffer.from([0, 1, 2, 0xff, 0x41]), 'auto');
      assert.equal(d.chain, 'hex');
      assert.equal(d.view.text, '00000000  00 01 02 ff 41' + ' '.repeat(33) + '  ....A');
      assert.equal(d.editable, false);
    });
  });

  describe('bad input: the raw form with a clear note, never a crash', () => {
    it('a gzip zip bomb (200 MB of zeros in ~200 KB) stops at the cap', async () => {
      const bomb = gzipSync(Buffer.alloc(200 * 1024 * 1024));
      assert.ok(bomb.length < 300 * 1024);
      const d = await decode(bomb, 'auto');
      assert.equal(d.chain, 'raw');
      assert.equal(d.notes[0], `This gzip value decompresses to more than ${MAX_OUTPUT / 1024 / 1024} MB (the cap); shown raw.`);
    });
    it('zip bombs in brotli, zstd, LZ4 and Snappy stop at the cap too (a 1 MB cap on 4 MB of zeros)', async () => {
      const big = Buffer.alloc(4 * 1024 * 1024);
      for (const [raw, spec] of [
        [brotliCompressSync(big, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } }), 'brotli'],
        [await zstdCompress(big, 1), 'auto'],
        [Buffer.from(lz4js.compress(big)), 'auto'],
        [Buffer.from(snappyjs.compress(big)), 'snappy'],
      ] as Array<[Buffer, string]>) {
        assert.ok(raw.length < big.length / 20, `${spec}: a small value`);
        const d = await decode(raw, spec, { limits: { maxOutput: 1024 * 1024 } });
        assert.equal(d.chain, 'raw', spec);
        assert.match(d.notes[0], /decompresses to more than 1 MB \(the cap\); shown raw\./, spec);
      }
    });
    it('truncated and corrupt compressed data', async () => {
      const gz = gzipSync(JSON_TEXT);
      assert.deepEqual((await decode(gz.subarray(0, gz.length - 12), 'auto')).notes, ['This gzip data is truncated (it ends before the compressed stream does).']);
      const bad = Buffer.from(gz);
      bad.fill(0x55, 12, 20);
      const d = await decode(bad, 'auto');
      assert.equal(d.chain, 'raw');
      assert.match(d.notes[0], /not valid gzip data|truncated/);
      const z = await zstdCompress(Buffer.from(JSON_TEXT));
      assert.match((await decode(z.subarray(0, z.length - 4), 'auto')).notes[0], /zstd data is corrupt or truncated/);
      assert.match((await decode(Buffer.from('not snappy at all \xff'), 'snappy')).notes[0], /Snappy/);
      assert.match((await decode(Buffer.from('%%%'), 'base64+json')).notes[0], /not base64/);
    });
    it('deep nesting: JSON, MessagePack and PHP refused past the depth cap', async () => {
      const deepJson = Buffer.from('['.repeat(100_000) + ']'.repeat(100_000));
      const j = await decode(deepJson, 'json');
      assert.equal(j.chain, 'raw');
      assert.match(j.notes[0], /nested more than 500 levels/);
      assert.equal((await decode(deepJson, 'auto')).chain, 'text');
      let nested: unknown = 1;
      for (let i = 0; i < 2000; i++) nested = [nested];
      const m = await decode(Buffer.from(msgpackEncode(nested, { maxDepth: 5000 })), 'msgpack');
      assert.equal(m.chain, 'raw');
      assert.match(m.notes[0], /nested/);
      const p = await decode(Buffer.from('a:1:{i:0;'.repeat(2000) + 'N;' + '}'.repeat(2000)), 'php');
      assert.equal(p.chain, 'raw');
      assert.match(p.notes[0], /nested more than 500 levels/);
    });
    it('invalid UTF-8 inside a gzip value is shown escaped and saved unchanged', async () => {
      const raw = gzipSync(Buffer.from([0x61, 0x64, 0x61, 0xff, 0xfe, 0x0a]));
      assert.equal((await decode(raw, 'auto')).chain, 'gzip+hex');
      const d = await decode(raw, 'gzip+text');
      assert.equal(d.chain, 'gzip+text');
      assert.equal(d.view.text, 'ada\\xff\\xfe\\x0a');
      assert.match(d.notes[0], /not valid UTF-8/);
      assert.ok(editable(d)(d.view.text).equals(raw));
    });
    it('a chosen format that does not fit the decompressed bytes shows them as text with the reason', async () => {
      const d = await decode(gzipSync('not json'), 'gzip+json');
      assert.equal(d.chain, 'gzip+text');
      assert.match(d.notes[0], /not valid JSON/);
    });
    it('an unknown decoder name is refused with its name', async () => {
      const d = await decode(Buffer.from('x'), 'gzip+rot13');
      assert.deepEqual(d.notes, ['"gzip+rot13" is not a decoder; shown raw.']);
    });
    it('an encoder that does not reproduce the bytes refuses editing in that form', async () => {
      // gzip with a comment field and a header CRC is kept; two gzip members in one value are not reproducible
      const two = Buffer.concat([gzipSync('{"a":'), gzipSync('1}')]);
      const d = await decode(two, 'auto');
      assert.equal(d.chain, 'gzip+json');
      assert.equal(d.editable, false);
      assert.match(d.readOnlyReason ?? '', /does not give back the same gzip bytes/);
      const floatInt = await decode(Buffer.from(msgpackEncode({ x: 1.5 }, { forceFloat32: true })), 'auto');
      assert.equal(floatInt.editable, false);
    });
  });

  it('the one-line preview folds whitespace', async () => {
    const d = await decode(gzipSync(JSON_TEXT), 'auto', { noEncoder: true });
    assert.equal(previewLine(d, 30), '{ "user": "ada", "tags": [ "x"…');
  });

  it('an edit of a gzip JSON value in Redis: compare-and-set against the raw bytes, read back with another client', async () => {
    const key = 'dec:gz';
    const raw = gzipSync(JSON_TEXT);
    await admin().del(key);
    await admin().hset(key, 'f', raw, 'other', 'x');
    const conn = await connect();
    const seen = await getField(conn, Buffer.from(key), Buffer.from('f'));
    assert.ok(seen);
    const d = await decode(seen, 'auto');
    const next = editable(d)(d.view.text.replace('"ada"', '"grace"'));
    assert.deepEqual(await compareAndSet(conn, Buffer.from(key), Buffer.from('f'), seen, next), { ok: true });
    const stored = await admin().hgetBuffer(key, 'f');
    assert.ok(stored);
    assert.deepEqual(JSON.parse((await decode(stored, 'auto')).plain.toString()), { ...DOC, user: 'grace' });
    assert.equal(stored.readUInt32LE(4), raw.readUInt32LE(4), 'same gzip header');
    assert.equal(await admin().hget(key, 'other'), 'x');
  });
});
