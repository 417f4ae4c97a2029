/* Live updates as the hash editor's header shows them (shared by the extension and the webview). */

export interface LiveInfo {
  /** 'live': tracking or keyspace notifications; 'polling' at an interval; 'paused' here or everywhere */
  state: 'live' | 'polling' | 'paused' | 'off' | 'connecting' | 'reconnecting';
  /** "live", "polling every 5 s", "paused", … */
  label: string;
  /** when the table was last known to match the server (ms since the epoch) */
  inStepAt?: number;
  /** why a better mode is not used (ACL, configuration) */
  detail?: string;
  pausedHere: boolean;
  pausedEverywhere: boolean;
}

/** The header's line for live updates: "Live", "Polling every 5 s · in step 12:04:31", "Paused". */
export function liveText(info: LiveInfo, now = Date.now()): string {
  const label = info.label.charAt(0).toUpperCase() + info.label.slice(1);
  if (info.state === 'live' || info.state === 'off' || info.inStepAt === undefined) return label;
  const ago = Math.max(0, Math.round((now - info.inStepAt) / 1000));
  return `${label} · in step ${ago < 2 ? 'now' : `${ago} s ago`}`;
}
