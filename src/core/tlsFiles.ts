import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { RedisExplorerError } from './errors';

/** A profile's `tls` as files on disk (PEM); the client key's passphrase is a secret kept apart. */
export interface TlsFiles {
  caFile?: string;
  /** client certificate, for servers that ask for one (`tls-auth-clients yes`) */
  certFile?: string;
  /** the client certificate's private key */
  keyFile?: string;
  /** verify the server certificate; on unless set to false */
  verify?: boolean;
  servername?: string;
}

function read(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : 'it cannot be read';
    throw new RedisExplorerError('TLS', `Cannot read the ${what} "${file}": ${why}. Nothing was sent.`, err);
  }
}

function certificate(file: string, pem: Buffer): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new RedisExplorerError('TLS', `"${file}" is not a certificate (PEM). Nothing was sent.`, err);
  }
}

/** PKCS#8 "ENCRYPTED PRIVATE KEY" or a traditional PEM key with "Proc-Type: 4,ENCRYPTED". */
const ENCRYPTED_PEM = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/;

function privateKey(file: string, pem: Buffer, passphrase: string | undefined): KeyObject {
  // OpenSSL's answer to a missing passphrase is "interrupted or cancelled": look at the PEM instead.
  if (passphrase === undefined && ENCRYPTED_PEM.test(pem.toString('latin1'))) {
    throw new RedisExplorerError('TLS', `The client key "${file}" is encrypted: its passphrase is needed. Nothing was sent.`);
  }
  try {
    return createPrivateKey(passphrase === undefined ? { key: pem } : { key: pem, passphrase });
  } catch (err) {
    const { code, message } = err as NodeJS.ErrnoException;
    if (code === 'ERR_MISSING_PASSPHRASE' || code === 'ERR_OSSL_CRYPTO_INTERRUPTED_OR_CANCELLED') {
      throw new RedisExplorerError('TLS', `The client key "${file}" is encrypted: its passphrase is needed. Nothing was sent.`, err);
    }
    if (passphrase !== undefined && (code === 'ERR_OSSL_BAD_DECRYPT' || /bad decrypt/i.test(message))) {
      throw new RedisExplorerError('TLS', `Wrong passphrase for the client key "${file}". Nothing was sent.`, err);
    }
    throw new RedisExplorerError('TLS', `"${file}" is not a private key (PEM). Nothing was sent.`, err);
  }
}

/**
 * Node TLS options from a profile's `tls` (true: system CAs, verified). The files are read and checked here, so a
 * missing file, a file that is not a certificate or key, an encrypted key without its passphrase, a wrong
 * passphrase and a key that does not belong to the certificate each get their own message before anything is sent.
 */
export function tlsConnectionOptions(tls: boolean | TlsFiles | undefined, keyPassphrase?: string): ConnectionOptions | undefined {
  if (!tls) return undefined;
  const o: TlsFiles = tls === true ? {} : tls;
  const result: ConnectionOptions = { rejectUnauthorized: o.verify !== false };
  if (o.servername) result.servername = o.servername;
  if (o.caFile) {
    const ca = read(o.caFile, 'CA file');
    certificate(o.caFile, ca);
    result.ca = ca;
  }
  if (!o.certFile !== !o.keyFile) {
    throw new RedisExplorerError('INVALID', `A client certificate needs both files: ${o.certFile ? '"keyFile" (its private key)' : '"certFile" (the certificate)'} is missing. Nothing was sent.`);
  }
  if (o.certFile && o.keyFile) {
    const certPem = read(o.certFile, 'client certificate');
    const keyPem = read(o.keyFile, 'client key');
    const cert = certificate(o.certFile, certPem);
    const key = privateKey(o.keyFile, keyPem, keyPassphrase);
    if (!cert.checkPrivateKey(key)) {
      throw new RedisExplorerError('TLS', `The client key "${o.keyFile}" does not belong to the certificate "${o.certFile}". Nothing was sent.`);
    }
    result.cert = certPem;
    // The key goes to Node decrypted (as a KeyObject's PEM), so no passphrase travels with the options.
    result.key = key.export({ type: 'pkcs8', format: 'pem' });
  }
  return result;
}
