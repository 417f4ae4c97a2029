import { isIP } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import type { ConnectionOptions } from 'node:tls';
import type { ConnectionProfile, HostPort } from './profile';
import { seedsOf } from './profile';
import type { SshTunnel } from './sshTunnel';

/*
 * How a client reaches Redis through an SSH tunnel: the configured addresses (the server, cluster seeds or
 * sentinels) become local forwards, and every address Redis announces later (cluster nodes, the master a
 * sentinel names, other sentinels) is mapped to a forward through ioredis's `natMap`, so nothing goes to an
 * address directly.
 */

/**
 * Local forwards of `seeds`, in order, leaving out those the bastion cannot reach; when it reaches none, the
 * first failure (it names the hop and the address).
 */
async function forwardSeeds(tunnel: SshTunnel, seeds: HostPort[]): Promise<HostPort[]> {
  const results = await Promise.allSettled(seeds.map((s) => tunnel.forward(s.host, s.port)));
  const reached = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  if (reached.length) return reached;
  const first = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  throw first?.reason;
}

/** "host:port" as ioredis names a node ("[::1]:6379" or "::1:6379" for IPv6). */
function parseNodeKey(key: string): HostPort | undefined {
  const at = key.lastIndexOf(':');
  if (at <= 0) return undefined;
  const port = Number(key.slice(at + 1));
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host: key.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port };
}

/** ioredis `natMap`: each announced address answered with its local forward, made at once when new. */
function natMapThrough(tunnel: SshTunnel): (key: string) => HostPort | null {
  return (key) => {
    const target = parseNodeKey(key);
    return target ? tunnel.forwardNow(target.host, target.port) : null;
  };
}

/**
 * TLS through a tunnel: the socket goes to 127.0.0.1, but the certificate must be checked against the name of
 * the server behind the bastion. `hosts()` are the names it may have (one for a standalone server; the nodes
 * of a cluster or the sentinels and masters share one set of certificates). An explicit servername wins.
 */
export function tlsThroughTunnel(tls: ConnectionOptions | undefined, hosts: () => string[]): ConnectionOptions | undefined {
  if (!tls) return undefined;
  if (tls.servername || tls.rejectUnauthorized === false) return tls;
  const names = hosts();
  const sni = names.find((h) => !isIP(h));
  return {
    ...tls,
    ...(sni ? { servername: sni } : {}),
    checkServerIdentity: (_local, cert) => {
      let first: Error | undefined;
      for (const h of hosts()) {
        const err = checkServerIdentity(h, cert);
        if (!err) return undefined;
        first ??= err;
      }
      return first;
    },
  };
}

/** A profile's addresses as the client dials them through a tunnel. */
export interface SshRoute {
  /** the profile with its server, seeds or sentinels replaced by their local forwards */
  profile: ConnectionProfile;
  natMap: (key: string) => HostPort | null;
  /** names the servers behind the bastion may have, for the TLS certificate check */
  hosts: () => string[];
}

/** Forwards the configured addresses of `profile` (those the bastion reaches) and maps the rest as announced. */
export async function routeProfile(profile: ConnectionProfile, tunnel: SshTunnel): Promise<SshRoute> {
  const seeds = seedsOf(profile);
  const local = await forwardSeeds(tunnel, seeds);
  const routed: ConnectionProfile = { ...profile, host: local[0].host, port: local[0].port };
  if (profile.kind === 'cluster') routed.nodes = local;
  if (profile.kind === 'sentinel') routed.sentinels = local;
  const configured = seeds.map((s) => s.host);
  return { profile: routed, natMap: natMapThrough(tunnel), hosts: () => [...new Set([...configured, ...tunnel.targets().map((t) => t.host)])] };
}
