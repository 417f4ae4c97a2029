import * as assert from 'node:assert/strict';
import { toExplorerError } from '../../src/core/errors';

describe('error messages in our words', () => {
  it('a script error that mentions "ttls" is not a TLS failure', () => {
    const e = toExplorerError(new Error("ERR user_script:9: Script attempted to access nonexistent global variable 'ttls' script: 7c5e, on @user_script:9."), '127.0.0.1:6379', 'write');
    assert.notEqual(e.code, 'TLS');
  });

  it('TLS failures are said in our words, never in OpenSSL\'s', () => {
    const cases: Array<[{ code: string; message: string }, RegExp]> = [
      [{ code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' }, /self-signed and not trusted/],
      [{ code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' }, /has expired/],
      [{ code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: "Hostname/IP does not match certificate's altnames: Host: x. is not in the cert's altnames" }, /does not name this host/],
      [{ code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', message: 'C0B7:error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure' }, /refused the connection/],
    ];
    for (const [raw, reason] of cases) {
      const err = Object.assign(new Error(raw.message), { code: raw.code });
      const e = toExplorerError(err, '127.0.0.1:6380');
      assert.equal(e.code, 'TLS');
      assert.match(e.message, reason);
      assert.match(e.message, /^TLS handshake failed \(127\.0\.0\.1:6380\): .*\. Nothing was written\.$/);
      assert.doesNotMatch(e.message, /SSL routines|altnames|certificate chain|ERR_/);
    }
  });
});
