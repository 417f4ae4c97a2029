import * as assert from 'node:assert/strict';
import { describeProfile, parseRedisUrl, sameProfile, validateProfile } from '../../src/core/profile';

describe('connection profiles', () => {
  it('parses redis:// URLs with user, password and db', () => {
    const r = parseRedisUrl('redis://alice:s%40cret@cache.example:6380/3');
    assert.deepEqual(r.profile, { host: 'cache.example', port: 6380, db: 3, username: 'alice' });
    assert.equal(r.password, 's@cret');
  });

  it('parses rediss:// as TLS, a bare password, and defaults', () => {
    const r = parseRedisUrl('rediss://:pw@redis.example');
    assert.deepEqual(r.profile, { host: 'redis.example', port: 6379, tls: true });
    assert.equal(r.password, 'pw');
    assert.deepEqual(parseRedisUrl('redis://[::1]:7000').profile, { host: '::1', port: 7000 });
  });

  it('refuses other schemes and bad db numbers with a clear message', () => {
    assert.throws(() => parseRedisUrl('http://x'), /Unsupported scheme "http"/);
    assert.throws(() => parseRedisUrl('not a url'), /Not a valid URL/);
    assert.throws(() => parseRedisUrl('redis://h/abc'), /Invalid database number/);
  });

  it('validates settings entries', () => {
    assert.equal(validateProfile({ name: 'a', host: 'h', port: 1 }), undefined);
    assert.match(validateProfile({ name: 'a', host: 'h', port: 70000 }) ?? '', /invalid port/);
    assert.match(validateProfile({ host: 'h', port: 1 }) ?? '', /needs a name/);
  });

  it('describes a profile without any secret', () => {
    assert.equal(describeProfile({ name: 'n', host: 'h', port: 1, username: 'u', tls: true }), 'rediss://u@h:1');
  });

  it('tells an edited profile from the same one written with its keys in another order', () => {
    const a = { name: 'x', host: 'h', port: 1, tls: { caFile: '/ca', servername: 's' }, nodes: [{ host: 'a', port: 1 }] };
    const reordered = { nodes: [{ port: 1, host: 'a' }], tls: { servername: 's', caFile: '/ca' }, port: 1, host: 'h', name: 'x', db: undefined };
    assert.ok(sameProfile(a, reordered));
    assert.ok(!sameProfile(a, { ...a, port: 2 }));
    assert.ok(!sameProfile(a, { ...a, tls: { caFile: '/ca' } }));
    assert.ok(!sameProfile(a, { ...a, nodes: [{ host: 'a', port: 1 }, { host: 'b', port: 2 }] }));
    assert.ok(!sameProfile(a, { ...a, readOnly: true }));
  });
});
