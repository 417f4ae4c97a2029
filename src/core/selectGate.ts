import type Redis from 'ioredis';
import type { Command } from 'ioredis';
import { NOT_SELECTED } from './errors';

/** ioredis's own handshake (and QUIT): they act the same in every database. */
const HANDSHAKE = new Set(['auth', 'hello', 'select', 'client', 'readonly', 'info', 'quit']);

/**
 * Lets no command of `client` run in another database than `db`, which is selected on its socket now: every
 * command but the handshake is refused on a socket until SELECT `db` has succeeded on that very socket. A
 * reconnect opens a new socket, so the gate is shut again until the reconnect's SELECT answers OK (ioredis
 * sends it in its handshake, as `db` is set below). A server that lost the database refuses that SELECT:
 * `refused` is told, and nothing else was ever sent on that socket, so no write can land in db 0 behind it.
 */
export function gateOnSelect(client: Redis, db: number, refused: (err: unknown) => void): void {
  // ioredis selects options.db in each reconnect's handshake, before it reports ready (else it selects
  // the last database after ready, behind which a command could already be written).
  client.options.db = db;
  let selectedOn: unknown = client.stream;
  const send = client.sendCommand.bind(client);
  client.sendCommand = (command: Command, stream?: Parameters<Redis['sendCommand']>[1]): unknown => {
    const name = command.name.toLowerCase();
    if (name === 'select') {
      // This connection is for one database: a SELECT of another would move it without the gate knowing.
      if (String(command.args[0]) !== String(db)) return refuse(command);
      const socket = client.stream;
      command.promise.then(
        () => {
          if (client.stream === socket) selectedOn = socket;
        },
        (err: unknown) => {
          if (client.stream === socket) refused(err);
        },
      );
    } else if (selectedOn !== client.stream && !HANDSHAKE.has(name)) {
      return refuse(command);
    }
    return send(command, stream);
  };
}

function refuse(command: Command): Promise<unknown> {
  command.reject(new Error(NOT_SELECTED));
  return command.promise;
}
