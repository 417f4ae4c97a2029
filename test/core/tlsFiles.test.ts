// TLS client certificates against a real redis-server that demands one (--tls-auth-clients yes), with a CA,
// server and client certificates made by openssl for the run (test/support/tlsCerts.ts).
import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import type { ConnectionOptions } from 'node:tls';
import { RedisExplorerError } from '../../src/core/errors';
import { tlsConnectionOptions } from '../../src/core/tlsFiles';
import type { TlsFiles } from '../../src/core/tlsFiles';
import { LIBRARY_PHRASES } from '../support/faultyRedis';
import type { TestRedis } from '../support/redisServer';
import { makeCerts, startTlsRedis } from '../support/tlsCerts';
import type { TestCerts } from '../support/tlsCerts';

function refused(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof RedisExplorerError, `expected our error, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.match(err.message, message);
    assert.doesNotMatch(err.message, LIBRARY_PHRASES);
    assert.doesNotMatch(err.message, /error:[0-9A-F]{8}|ERR_OSSL|DECODER routines/);
    return true;
  });
}

describe('TLS client certificates (real redis-server with --tls-auth-clients yes)', function () {
  this.timeout(60_000);
  let certs: TestCerts;
  let server: TestRedis & { tlsPort: number };
  let plain: Redis;
  const clients: Redis[] = [];

  before(async function () {
    this.timeout(60_000);
    certs = makeCerts();
    server = await startTlsRedis(certs);
    plain = new Redis({ host: '127.0.0.1', port: server.port });
  });
  after(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    plain?.disconnect();
    await server?.stop();
    certs?.remove();
  });

  function tlsClient(tls: ConnectionOptions | undefined): Redis {
    const c = new Redis({ host: '127.0.0.1', port: server.tlsPort, tls, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 5000 });
    c.on('error', () => undefined);
    clients.push(c);
    return c;
  }
  // The server certificate names "localhost" (no IP): the name is given as the server name.
  const files = (extra: Partial<TlsFiles> = {}): TlsFiles => ({ caFile: certs.ca, certFile: certs.clientCert, keyFile: certs.clientKey, servername: 'localhost', ...extra });

  it('connects with the client certificate and key; the write lands in Redis (read on the plain port)', async () => {
    const c = tlsClient(tlsConnectionOptions(files()));
    await c.connect();
    await c.hset('tls:client-cert', 'f', 'signed');
    assert.equal(await plain.hget('tls:client-cert', 'f'), 'signed');
    await plain.del('tls:client-cert');
  });

  it('connects with an encrypted key given its passphrase; the options carry the key decrypted, not the passphrase', async () => {
    const options = tlsConnectionOptions(files({ keyFile: certs.clientKeyEncrypted }), certs.passphrase);
    assert.ok(options);
    assert.equal(options.passphrase, undefined);
    assert.doesNotMatch(String(options.key), /ENCRYPTED/);
    const c = tlsClient(options);
    await c.connect();
    assert.equal(await c.ping(), 'PONG');
  });

  it('checks the server certificate against the name: 127.0.0.1 is not in it', async () => {
    const c = tlsClient(tlsConnectionOptions(files({ servername: undefined })));
    const seen: string[] = [];
    c.on('error', (e: NodeJS.ErrnoException) => seen.push(String(e.code)));
    await assert.rejects(c.connect().then(() => c.ping()));
    assert.ok(seen.includes('ERR_TLS_CERT_ALTNAME_INVALID'), seen.join(', '));
  });

  it('the server refuses a client without a certificate, or with one from another CA', async () => {
    for (const tls of [tlsConnectionOptions({ caFile: certs.ca, servername: 'localhost' }), tlsConnectionOptions(files({ certFile: certs.strangerCert, keyFile: certs.strangerKey }))]) {
      const c = tlsClient(tls);
      await assert.rejects(c.connect().then(() => c.ping()));
    }
    assert.equal(await plain.dbsize(), 0, 'nothing was written');
  });

  it('refuses an encrypted key without its passphrase, or with a wrong one, before connecting', () => {
    refused(() => tlsConnectionOptions(files({ keyFile: certs.clientKeyEncrypted })), 'TLS', /^The client key ".*client-encrypted\.key" is encrypted: its passphrase is needed\. Nothing was sent\.$/);
    refused(() => tlsConnectionOptions(files({ keyFile: certs.clientKeyEncrypted }), 'wrong'), 'TLS', /^Wrong passphrase for the client key ".*client-encrypted\.key"\. Nothing was sent\.$/);
  });

  it('refuses missing files, files that are not a certificate or a key, a key of another certificate, half a pair', () => {
    refused(() => tlsConnectionOptions(files({ certFile: '/nonexistent/client.crt' })), 'TLS', /^Cannot read the client certificate "\/nonexistent\/client\.crt": no such file\./);
    refused(() => tlsConnectionOptions(files({ keyFile: '/nonexistent/client.key' })), 'TLS', /^Cannot read the client key "\/nonexistent\/client\.key": no such file\./);
    refused(() => tlsConnectionOptions(files({ caFile: '/nonexistent/ca.crt' })), 'TLS', /^Cannot read the CA file "\/nonexistent\/ca\.crt": no such file\./);
    refused(() => tlsConnectionOptions(files({ certFile: certs.clientKey })), 'TLS', /^".*client\.key" is not a certificate \(PEM\)\./);
    refused(() => tlsConnectionOptions(files({ keyFile: certs.clientCert })), 'TLS', /^".*client\.crt" is not a private key \(PEM\)\./);
    refused(() => tlsConnectionOptions(files({ keyFile: certs.strangerKey })), 'TLS', /^The client key ".*stranger\.key" does not belong to the certificate ".*client\.crt"\./);
    refused(() => tlsConnectionOptions(files({ keyFile: undefined })), 'INVALID', /^A client certificate needs both files: "keyFile" \(its private key\) is missing\./);
    refused(() => tlsConnectionOptions(files({ certFile: undefined })), 'INVALID', /"certFile" \(the certificate\) is missing/);
  });

  it('true is TLS with the system CAs, verified; false and undefined are no TLS', () => {
    assert.deepEqual(tlsConnectionOptions(true), { rejectUnauthorized: true });
    assert.equal(tlsConnectionOptions(false), undefined);
    assert.equal(tlsConnectionOptions(undefined), undefined);
    assert.equal(tlsConnectionOptions({ verify: false, servername: 'redis.internal' })?.servername, 'redis.internal');
  });
});
