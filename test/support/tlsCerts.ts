import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startRedis } from './redisServer';
import type { TestRedis } from './redisServer';

/*
 * Certificates made with openssl for each run, and a redis-server that demands a client certificate
 * (`--tls-auth-clients yes`) on its TLS port.
 */

export interface TestCerts {
  dir: string;
  /** the CA that signed the server (for the name "localhost", no IP) and the client certificates */
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** the same client key, encrypted with `passphrase` */
  clientKeyEncrypted: string;
  passphrase: string;
  /** a client certificate and key from a CA the server does not trust */
  strangerCert: string;
  strangerKey: string;
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A CA, a server certificate for 127.0.0.1 and client certificates, in a fresh folder. */
export function makeCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'rhe-certs-'));
  const days = ['-days', '2'];
  const ca = (name: string) => openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, ...days, '-subj', `/CN=${name}`], dir);
  const signed = (name: string, by: string, ext?: string) => {
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
    const extArgs = ext ? ['-extfile', ext] : [];
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${by}.crt`, '-CAkey', `${by}.key`, '-CAcreateserial', '-out', `${name}.crt`, ...days, ...extArgs], dir);
  };
  ca('test-ca');
  // A name only, no IP: a client that checks the certificate against 127.0.0.1 (say, a tunnel's local end)
  // instead of the server's name fails.
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost\n');
  signed('server', 'test-ca', 'server.ext');
  signed('client', 'test-ca');
  ca('other-ca');
  signed('stranger', 'other-ca');
  const passphrase = 'tls key passphrase';
  openssl(['pkey', '-in', 'client.key', '-aes256', '-passout', `pass:${passphrase}`, '-out', 'client-encrypted.key'], dir);
  const at = (f: string) => join(dir, f);
  return {
    dir,
    ca: at('test-ca.crt'),
    serverCert: at('server.crt'),
    serverKey: at('server.key'),
    clientCert: at('client.crt'),
    clientKey: at('client.key'),
    clientKeyEncrypted: at('client-encrypted.key'),
    passphrase,
    strangerCert: at('stranger.crt'),
    strangerKey: at('stranger.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A redis-server with a TLS port that asks every client for a certificate signed by `certs.ca` (and a plain port). */
export async function startTlsRedis(certs: TestCerts): Promise<TestRedis & { tlsPort: number }> {
  const tlsPort = await freePort();
  const server = await startRedis(
    ['--tls-port', String(tlsPort), '--tls-cert-file', certs.serverCert, '--tls-key-file', certs.serverKey, '--tls-ca-cert-file', certs.ca, '--tls-auth-clients', 'yes'],
    tlsPort,
  );
  return { ...server, tlsPort };
}
