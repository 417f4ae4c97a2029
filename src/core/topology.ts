import Redis, { Cluster } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type { ConnectOptions } from './connectOptions';
import { RedisExplorerError, toExplorerError } from './errors';
import type { ConnectionProfile, HostPort } from './profile';
import { seedsOf, whereOf } from './profile';
import { parseInfo } from './infoText';

/*
 * Opening a cluster or a sentinel-managed master. ioredis is the engine (slot routing, MOVED/ASK,
 * finding the master through the sentinels); this file only chooses its options and turns its
 * failures into messages that say what is wrong with the seeds, the sentinels or the master name.
 */

/** Marks a sentinel write the master could not confirm on a replica (settle must not read it back as applied). */
export const UNCONFIRMED = 'write not confirmed by a replica';

function list(seeds: HostPort[]): string {
  return seeds.map((s) => `${s.host}:${s.port}`).join(', ');
}

function reconnectPacing(options: ConnectOptions): (times: number) => number | null {
  const limit = options.maxReconnects ?? Infinity;
  const maxDelay = options.maxReconnectDelayMs ?? 2000;
  return (times) => (times > limit ? null : Math.min(times * 250, maxDelay));
}

export async function openCluster(profile: ConnectionProfile, options: ConnectOptions, base: RedisOptions): Promise<Cluster> {
  const seeds = seedsOf(profile);
  const cluster = new Cluster(seeds, {
    lazyConnect: true,
    // Never queue a command while the cluster is down (it would run later, unasked).
    enableOfflineQueue: false,
    enableReadyCheck: true,
    // Fail fast on the first connect; reconnect for as long as it is open once it worked (set below).
    clusterRetryStrategy: () => null,
    // A master stopped without closing its socket is noticed only by re-reading the slot map.
    slotsRefreshInterval: options.slotsRefreshIntervalMs ?? 2000,
    slotsRefreshTimeout: Math.min(options.connectTimeoutMs ?? 5000, 2000),
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    retryDelayOnTryAgain: 200,
    // No auto-pipelining: it routes `call('EVAL', script, 1, key)` by the script's text and drops the
    // command name of callBuffer. Commands sent together are in flight together all the same.
    enableAutoPipelining: false,
    scaleReads: 'master',
    // Through SSH: the nodes the cluster announces, mapped to local forwards (see sshRoutes.ts).
    natMap: base.natMap,
    redisOptions: base,
  });
  let cause: unknown;
  const keep = (err: unknown) => {
    cause ??= err;
  };
  cluster.on('error', keep);
  cluster.on('node error', keep);
  try {
    await cluster.connect();
  } catch (err) {
    cluster.disconnect();
    throw await clusterFailure(profile, base, cause ?? err);
  }
  cluster.removeListener('error', keep);
  cluster.removeListener('node error', keep);
  // Node failures are followed through the slot map; the pool follows the cluster's own state.
  cluster.on('error', () => undefined);
  cluster.on('node error', () => undefined);
  cluster.options.clusterRetryStrategy = reconnectPacing(options);
  return cluster;
}

/** Why a cluster did not open: a wrong password, seeds that are not cluster nodes, or seeds that do not answer. */
async function clusterFailure(profile: ConnectionProfile, base: RedisOptions, cause: unknown): Promise<RedisExplorerError> {
  const where = whereOf(profile);
  const seeds = seedsOf(profile);
  const e = toExplorerError(cause, where);
  if (e.code === 'AUTH' || e.code === 'NOPERM' || e.code === 'TLS') return e;
  // Ask the seeds themselves what they are.
  for (const seed of seeds) {
    const probe = new Redis({ ...base, host: seed.host, port: seed.port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      const info = parseInfo(await probe.info('cluster'));
      if (info.get('cluster_enabled') === '0') {
        return new RedisExplorerError('INVALID', `${seed.host}:${seed.port} is not a cluster node (cluster support is off there): use a standalone connection for it. Nothing was written.`, cause);
      }
      const state = parseInfo(String(await probe.cluster('INFO'))).get('cluster_state');
      if (state && state !== 'ok') {
        return new RedisExplorerError('UNKNOWN', `The cluster at ${seed.host}:${seed.port} is not serving (cluster_state:${state}): some slots have no master. Nothing was written.`, cause);
      }
    } catch (err) {
      const pe = toExplorerError(err, `${seed.host}:${seed.port}`);
      if (pe.code === 'AUTH') return pe;
    } finally {
      probe.disconnect();
    }
  }
  if (e.code === 'TIMEOUT') return e;
  return new RedisExplorerError('REFUSED', `No seed node of the cluster answered (${list(seeds)}). Is the cluster running there? Nothing was written.`, cause);
}

export async function openSentinel(profile: ConnectionProfile, options: ConnectOptions, base: RedisOptions): Promise<Redis> {
  const sentinels = seedsOf(profile);
  const client = new Redis({
    ...base,
    sentinels,
    name: profile.masterName,
    sentinelPassword: options.sentinelPassword || undefined,
    // TLS to the master means TLS to the sentinels too.
    enableTLSForSentinelMode: !!base.tls,
    sentinelTLS: base.tls,
    // Follow a failover as soon as the sentinels announce it, not when the old master stops answering.
    failoverDetector: true,
    sentinelRetryStrategy: () => null,
    sentinelCommandTimeout: options.connectTimeoutMs ?? 5000,
    // The ready check asks the server its role: a client never settles on a demoted master.
    enableReadyCheck: true,
  });
  const problems: string[] = [];
  let cause: unknown;
  client.on('sentinelError', (err: Error) => problems.push(err.message));
  client.on('error', (err: unknown) => {
    cause ??= err;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    client.disconnect();
    throw sentinelFailure(profile, problems, cause ?? err);
  }
  return client;
}

function sentinelFailure(profile: ConnectionProfile, problems: string[], cause: unknown): RedisExplorerError {
  const sentinels = list(seedsOf(profile));
  const name = profile.masterName ?? '';
  if (problems.some((p) => /successfully, but got an invalid reply|No such master with that name/i.test(p))) {
    return new RedisExplorerError('NOT_FOUND', `The sentinels (${sentinels}) know no master named "${name}". Check the master name. Nothing was written.`, cause);
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  if (/All sentinels are unreachable/.test(message) || problems.length > 0) {
    const auth = problems.some((p) => /WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(p));
    if (auth) return new RedisExplorerError('AUTH', `Authentication failed at the sentinels (${sentinels}): wrong sentinel password. Nothing was written.`, cause);
    return new RedisExplorerError('REFUSED', `No sentinel answered (${sentinels}). Are the sentinels running? Nothing was written.`, cause);
  }
  return toExplorerError(cause, `master "${name}" via sentinels ${sentinels}`);
}

/** The replicas connected to a master (INFO replication). */
export async function readReplicaCount(client: Redis): Promise<number> {
  const info = parseInfo(await client.info('replication'));
  return Number(info.get('connected_slaves') ?? 0) || 0;
}

/**
 * WAIT 1: resolves when at least one replica has every write sent so far on this client. A write no
 * replica confirmed may be lost by a failover: it is reported as one that may not have been written.
 */
export async function confirmWrite(client: Redis, where: string, ms: number): Promise<void> {
  const acked = Number(await client.call('WAIT', '1', String(ms)));
  if (acked >= 1) return;
  throw new RedisExplorerError(
    'TIMEOUT',
    `No replica of the master (${where}) confirmed the change within ${ms / 1000} s: it may not have been written (a failover now could lose it). Check the value before relying on it.`,
    UNCONFIRMED,
    'maybe',
  );
}
