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

/** An error whose message is fit to show a user: no stack, no password, no internals. */
export class RedisExplorerError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: unknown,
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

/**
 * Turns whatever ioredis, net or tls threw into a RedisExplorerError with a clear message.
 * `where` names the server ("127.0.0.1:6379") so the message says which one failed.
 */
export function toExplorerError(err: unknown, where?: string): RedisExplorerError {
  if (err instanceof RedisExplorerError) return err;
  const { message, code } = textOf(err);
  const at = where ? ` (${where})` : '';
  if (/WRONGPASS|invalid username-password|NOAUTH|invalid password/i.test(message)) {
    return new RedisExplorerError('AUTH', `Authentication failed${at}: wrong user name or password.`, err);
  }
  if (/^NOPERM/.test(message)) {
    return new RedisExplorerError('NOPERM', `Permission denied by the server's ACL${at}: ${message.replace(/^NOPERM\s*/, '')}`, err);
  }
  if (/^WRONGTYPE/.test(message)) {
    return new RedisExplorerError('WRONGTYPE', 'The key holds a different type than expected (it may have been replaced meanwhile).', err);
  }
  if (/^READONLY/.test(message)) {
    return new RedisExplorerError('READONLY', `The server${at} is a read-only replica: it refuses writes.`, err);
  }
  if (code === 'ECONNREFUSED') {
    return new RedisExplorerError('REFUSED', `Connection refused${at}. Is Redis running there?`, err);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new RedisExplorerError('HOST', `Host not found${at}.`, err);
  }
  if (code === 'ETIMEDOUT' || /timed out|timeout/i.test(message)) {
    return new RedisExplorerError('TIMEOUT', `The server${at} did not answer in time.`, err);
  }
  if (TLS_CODES.test(code) || /SSL|TLS|certificate/i.test(message)) {
    return new RedisExplorerError('TLS', `TLS handshake failed${at}: ${message}`, err);
  }
  if (/Connection is closed|Stream isn't writeable|ECONNRESET|EPIPE/i.test(message + code)) {
    return new RedisExplorerError('CLOSED', `The connection${at} was closed.`, err);
  }
  return new RedisExplorerError('UNKNOWN', message.split('\n')[0] || 'Unknown Redis error', err);
}
