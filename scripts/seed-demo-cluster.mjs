// Fills a demo Redis Cluster (scripts/demo.sh --cluster) with sample data spread over its masters:
//   node scripts/seed-demo-cluster.mjs <port of any node> [host]
// Each command goes to the master that owns its key (ioredis Cluster), so no pipeline spans slots.
// Flushes every master first: run it only against a throwaway cluster.
import Redis from 'ioredis';

const port = Number(process.argv[2]);
const host = process.argv[3] ?? '127.0.0.1';
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node scripts/seed-demo-cluster.mjs <port> [host]');
  process.exit(2);
}

const cluster = new Redis.Cluster([{ host, port }]);
await Promise.all(cluster.nodes('master').map((n) => n.flushdb()));

const PLANS = ['free', 'pro', 'team', 'enterprise'];
const writes = [];
for (let i = 1; i <= 300; i++) writes.push(cluster.hset(`user:${i}`, { name: `User ${i}`, email: `user${i}@example.com`, plan: PLANS[i % PLANS.length] }));
for (let i = 1000; i < 1150; i++) writes.push(cluster.hset(`order:${i}`, { status: i % 5 === 0 ? 'shipped' : 'open', total: ((i % 97) * 3.5).toFixed(2) }));
// one hash tag: these keys share a slot, so they can be renamed into each other's names
for (let i = 1; i <= 5; i++) writes.push(cluster.hset(`{tenant:7}:profile:${i}`, 'name', `Profile ${i}`));
for (let i = 1; i <= 50; i++) writes.push(cluster.set(`session:${i}`, `token-${i}`, 'EX', 3600));
await Promise.all(writes);
// a big hash on whichever master owns it
for (let i = 0; i < 100_000; i += 5_000) {
  const args = [];
  for (let j = i; j < i + 5_000; j++) args.push(`field:${j}`, JSON.stringify({ id: j, qty: j % 7 }));
  await cluster.hset('big:hash', ...args);
}
const counts = await Promise.all(cluster.nodes('master').map((n) => n.dbsize()));
console.log(`seeded ${counts.reduce((a, b) => a + b, 0)} keys over ${counts.length} masters (${counts.join(', ')})`);
cluster.disconnect();
