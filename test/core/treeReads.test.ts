import * as assert from 'node:assert/strict';
import { fieldExists, getFields } from '../../src/core/hashOps';
import { keyFacts, keyTypes } from '../../src/core/keyOps';
import { admin, commandCounts, connect } from './hooks';

describe('reads the tree makes', () => {
  const db = 9;
  before(async () => {
    await admin().select(db);
    await admin().flushdb();
    await admin().hset('h', 'a', '1', 'b', Buffer.from([0xff]));
    await admin().pexpire('h', 100_000);
    await admin().set('s', 'x');
  });
  after(async () => {
    await admin().flushdb();
    await admin().select(0);
  });

  it('keyFacts: type, TTL and field count of many keys in one pipeline', async () => {
    const conn = await connect({}, undefined, db);
    const before = await commandCounts();
    const facts = await keyFacts(conn, ['h', 's', 'gone']);
    const after = await commandCounts();
    assert.equal(facts[0]?.type, 'hash');
    assert.equal(facts[0]?.fields, 2);
    assert.ok((facts[0]?.pttl ?? 0) > 90_000);
    assert.deepEqual(facts[1], { type: 'string', pttl: -1 }, 'no field count for a string (its HLEN error is left out)');
    assert.deepEqual(facts[2], { type: 'none', pttl: -2 });
    assert.equal(after.type - (before.type ?? 0), 3);
    assert.deepEqual(await keyFacts(conn, []), []);
  });

  it('keyTypes: the type of many keys in one pipeline of TYPE alone, binary names too', async () => {
    const bin = Buffer.from([0xff, 0x00, 0x3a]);
    await admin().hset(bin, 'f', 'v');
    const conn = await connect({}, undefined, db);
    const before = await commandCounts();
    const types = await keyTypes(conn, ['h', 's', 'gone', bin]);
    const after = await commandCounts();
    assert.deepEqual(types, ['hash', 'string', 'none', 'hash']);
    assert.equal(after.type - (before.type ?? 0), 4);
    assert.equal((after.pttl ?? 0) - (before.pttl ?? 0), 0, 'no PTTL');
    assert.equal((after.hlen ?? 0) - (before.hlen ?? 0), 0, 'no HLEN');
    assert.deepEqual(await keyTypes(conn, []), []);
    await admin().del(bin);
  });

  it('getFields and fieldExists', async () => {
    const conn = await connect({}, undefined, db);
    const values = await getFields(conn, 'h', ['b', 'missing', 'a']);
    assert.deepEqual(values.map((v) => (v ? [...v] : null)), [[0xff], null, [0x31]]);
    assert.equal(await fieldExists(conn, 'h', 'a'), true);
    assert.equal(await fieldExists(conn, 'h', 'zz'), false);
    assert.equal(await fieldExists(conn, 'gone', 'a'), false);
  });
});
