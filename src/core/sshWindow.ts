import type { ClientChannel } from 'ssh2';

/*
 * Why a tunnel page took 44 ms on loopback (measured, bench --only=ssh): sshd does not set TCP_NODELAY on a
 * connection without an interactive session, so the tail of a large reply waits (Nagle) until our side
 * ACKs what came before, and our kernel delays that ACK by 40 ms when nothing goes back to ride on. Sending
 * a little at once after data arrives ends the wait: here it is the channel's window, topped up after each
 * burst instead of when half of it is used (ssh2's own rule), so the ACK leaves with the WINDOW_ADJUST.
 */

/** The parts of an ssh2 1.x channel the window is kept with (not in its typings). */
interface ChannelWindow {
  incoming: { window: number };
  outgoing: { id: number; state: string };
  /** ssh2's own flag: the reader is behind; the window must not grow (back-pressure) */
  _waitChanDrain?: boolean;
  _client: { _protocol: { channelWindowAdjust(id: number, amount: number): void } };
}

function windowOf(ch: ClientChannel): ChannelWindow | undefined {
  const c = ch as unknown as Partial<ChannelWindow>;
  const ok = typeof c.incoming?.window === 'number' && typeof c.outgoing?.id === 'number' && typeof c._client?._protocol?.channelWindowAdjust === 'function';
  return ok ? (c as ChannelWindow) : undefined;
}

/**
 * Keeps `ch`'s receive window full: after each burst of data (once per turn of the event loop) the part
 * used is given back at once. A reader that is behind gets nothing back (ssh2 adjusts once it drains).
 * Without the ssh2 internals it needs, it does nothing (ssh2's own rule stays).
 */
export function answerDataPromptly(ch: ClientChannel): void {
  const w = windowOf(ch);
  if (!w) return;
  const full = w.incoming.window;
  let queued = false;
  ch.on('data', () => {
    if (queued) return;
    queued = true;
    setImmediate(() => {
      queued = false;
      const used = full - w.incoming.window;
      if (used <= 0 || w._waitChanDrain || w.outgoing.state !== 'open') return;
      w.incoming.window += used;
      w._client._protocol.channelWindowAdjust(w.outgoing.id, used);
    });
  });
}
