/** Error kinds the UI can act on (offer Retry, Overwrite/Reload, ...). */
export type ErrorCode =
  | 'AUTH'
  | 'NOPERM'
  | 'REFUSED'
  | 'TIMEOUT'
  | 'TLS'
  | 'HOST'
  | 'CLOSED'
  | 'READONLY'
  | 'CONFLICT'
  | 'EXISTS'
  | 'NOT_FOUND'
  | 'WRONGTYPE'
  | 'INVALID'
  | 'UNKNOWN';

/**
 * Whether a failed operation may have changed data: 'no' when nothing was sent or the server refused it,
 * 'maybe' when a write was sent and its answer never came (a timeout, a connection lost meanwhile).
 */
type Written = 'no' | 'maybe';

/** An error whose message is fit to show a user: no stack, no password, no internals. */
export class RedisExplorerError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: unknown,
    readonly written: Written = 'no',
  ) {
    super(message);
    this.name = 'RedisExplorerError';
  }
}

interface ErrorLike {
  message?: unknown;
  code?: unknown;
}

function textOf(err: unknown): { message: string; code: string } {
  if (err && typeof err === 'object') {
    const e = err as ErrorLike;
    return { message: typeof e.message === 'string' ? e.message : String(err), code: typeof e.code === 'string' ? e.code : '' };
  }
  return { message: String(err), code: '' };
}

const TLS_CODES = /^(ERR_TLS|ERR_SSL|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|CERT_|HOSTNAME_MISMATCH|EPROTO)/;
/** Why a command was refused unsent: its connection's database is not selected on the current socket yet (selectGate). */
export const NOT_SELECTED = 'database not selected on this socket yet';
/** A command that was never sent: the client was reconnecting (or selecting its database again), or was closed. */
const NOT_SENT = new RegExp(`Stream isn't writeable|enableOfflineQueue|${NOT_SELECTED}`, 'i');
const ENDED = /Connection is closed/i;
/** A command that was sent and whose answer was lost with the connection. */
const LOST = /max retries per request|maxRetriesPerRequest|Command aborted due to connection close|connection lost while waiting|ECONNRESET|EPIPE|socket hang up/i;

/** Marks a command whose connection closed before it was answered (see RedisConnection.run). */
export const CONNECTION_LOST = 'connection lost while waiting for the answer';

/** What a user is told about data after a failure: `op` is what the failed call did. */
function tail(op: 'read' | 'write', written: Written): string {
  if (written === 'maybe') return 'the change may still be applied.';
  return op === 'write' ? 'nothing was written.' : 'nothing was changed.';
}

/**
 * Turns whatever ioredis, net or tls threw into a RedisExplorerError with a clear message: what happened,
 * on which server (`where`, "127.0.0.1:6379"), and whether anything was written. `op: 'write'` marks a call
 * that sent a write: if its answer never came, the change may have been applied.
 */
export function toExplorerError(err: unknown, where?: string, op: 'read' | 'write' = 'read'): RedisExplorerError {
  if (err instanceof RedisExplorerError) return err;
  const { message, code } = textOf(err);
  const at = where ? ` (${where})` : '';
  if (/WRONGPASS|invalid username-password|NOAUTH|invalid password/i.test(message)) {
    return new RedisExplorerError('AUTH', `Authentication failed${at}: wrong user name or password.`, err);
  }
  if (/^NOPERM/.test(message)) {
    return new RedisExplorerError('NOPERM', `Permission denied by the server's ACL${at}: ${message.replace(/^NOPERM\s*/, '').replace(/\.?$/, '.')} Nothing was written.`, err);
  }
  if (/^WRONGTYPE/.test(message)) {
    return new RedisExplorerError('WRONGTYPE', 'The key holds a different type than expected (it may have been replaced meanwhile). Nothing was written.', err);
  }
  if (/^READONLY/.test(message)) {
    return new RedisExplorerError('READONLY', `The server${at} is a read-only replica: it refuses writes. Nothing was written.`, err);
  }
  if (/DB index is out of range/i.test(message)) {
    return new RedisExplorerError('INVALID', `The server${at} has no such database. Nothing was written.`, err);
  }
  if (code === 'ECONNREFUSED') {
    return new RedisExplorerError('REFUSED', `Connection refused${at}. Is Redis running there?`, err);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new RedisExplorerError('HOST', `Host not found${at}.`, err);
  }
  if (/wrong version number|packet length too long|unknown protocol|http request/i.test(message)) {
    return new RedisExplorerError('TLS', `TLS handshake failed${at}: the server did not answer in TLS (is TLS enabled on that port?).`, err);
  }
  if (code === 'ETIMEDOUT' || /timed out|timeout/i.test(message)) {
    const written: Written = op === 'write' ? 'maybe' : 'no';
    return new RedisExplorerError('TIMEOUT', `The server${at} did not answer in time; ${tail(op, written)}`, err, written);
  }
  // Whole words: a Lua script's text in an error (a variable named "ttls") is not a TLS failure.
  if (TLS_CODES.test(code) || /\b(SSL|TLS)\b|certificate/i.test(message)) {
    return new RedisExplorerError('TLS', `TLS handshake failed${at}: ${tlsReason(code, message)}. Nothing was written.`, err);
  }
  if (NOT_SENT.test(message)) {
    return new RedisExplorerError('CLOSED', `Not connected to the server${where ? ` ${where}` : ''}: the connection was lost and is reconnecting; ${tail(op, 'no')}`, err);
  }
  if (ENDED.test(message)) {
    return new RedisExplorerError('CLOSED', `The connection to the server${where ? ` ${where}` : ''} was closed; ${tail(op, 'no')}`, err);
  }
  if (LOST.test(message + ' ' + code)) {
    const written: Written = op === 'write' ? 'maybe' : 'no';
    return new RedisExplorerError('CLOSED', `The connection to the server${at} was lost before it answered; ${tail(op, written)}`, err, written);
  }
  const first = message.split('\n')[0];
  if (/^OOM /.test(first)) return new RedisExplorerError('UNKNOWN', `The server${at} is out of memory (maxmemory) and refused the write. Nothing was written.`, err);
  if (/^LOADING /.test(first)) return new RedisExplorerError('UNKNOWN', `The server${at} is still loading its data; try again shortly. ${capital(tail(op, 'no'))}`, err);
  if (/^BUSY /.test(first)) return new RedisExplorerError('UNKNOWN', `The server${at} is busy running a script; try again shortly. ${capital(tail(op, 'no'))}`, err);
  if (/^MISCONF /.test(first)) return new RedisExplorerError('UNKNOWN', `The server${at} refuses writes: it cannot save its data to disk. Nothing was written.`, err);
  // Any other error reply: the server refused the command, so it changed nothing; its words say why.
  if (/^[A-Z][A-Z_]+ /.test(first)) return new RedisExplorerError('UNKNOWN', `The server${at} refused the command: ${first.replace(/\.?$/, '.')} ${capital(tail(op, 'no'))}`, err);
  return new RedisExplorerError('UNKNOWN', first || 'Unknown Redis error', err);
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Why a TLS handshake failed, in our words (Node's and OpenSSL's texts are not for users). */
function tlsReason(code: string, message: string): string {
  const text = `${code} ${message}`;
  if (/SELF_SIGNED|DEPTH_ZERO|self[- ]signed/i.test(text)) return "the server's certificate is self-signed and not trusted (give its CA file, or turn verification off)";
  if (/UNABLE_TO_GET_ISSUER|UNABLE_TO_VERIFY|unable to (get|verify)/i.test(text)) return "the server's certificate could not be traced to a trusted CA (give the CA file)";
  if (/EXPIRED|expired/i.test(text)) return "the server's certificate has expired";
  if (/NOT_YET_VALID|not yet valid/i.test(text)) return "the server's certificate is not valid yet";
  if (/ALTNAME|HOSTNAME_MISMATCH|Hostname\/IP does not match/i.test(text)) return "the server's certificate does not name this host (set the server name)";
  if (/bad decrypt|PEM|no start line|BAD_PASSWORD|key values mismatch/i.test(text)) return 'the client certificate or its key could not be read (wrong file or passphrase)';
  if (/alert|handshake failure|certificate required/i.test(text)) return 'the server refused the connection (it may want a client certificate)';
  return 'the certificate could not be verified';
}
