// Fills a Redis database with sample data for the demo (scripts/demo.sh):
//   node scripts/seed-demo.mjs <port> [host]
// Several namespaces (a few hundred keys), one hash of 100,000 fields, binary and JSON values, a long
// multi-line value, keys with a TTL, and a few keys of other types. Flushes the database first: run it
// only against a throwaway server.
import Redis from 'ioredis';

const port = Number(process.argv[2]);
const host = process.argv[3] ?? '127.0.0.1';
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node scripts/seed-demo.mjs <port> [host]');
  process.exit(2);
}

const redis = new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: (n) => (n > 50 ? null : 100) });
await redis.connect();
await redis.flushdb();

const PLANS = ['free', 'pro', 'team', 'enterprise'];
const CITIES = ['Lisbon', 'Osaka', 'Nairobi', 'Toronto', 'Berlin', 'Lima', 'Perth'];
let p = redis.pipeline();

// user:<id> — 200 small hashes.
for (let i = 1; i <= 200; i++) {
  p.hset(`user:${i}`, {
    name: `User ${i}`,
    email: `user${i}@example.com`,
    plan: PLANS[i % PLANS.length],
    city: CITIES[i % CITIES.length],
    created: new Date(Date.UTC(2024, i % 12, 1 + (i % 28))).toISOString(),
  });
}
// order:<id> — 120 hashes with a JSON list of items.
for (let i = 1000; i < 1120; i++) {
  const items = Array.from({ length: 1 + (i % 4) }, (_, j) => ({ sku: `SKU-${(i * 7 + j) % 500}`, qty: 1 + j }));
  p.hset(`order:${i}`, { status: i % 5 === 0 ? 'shipped' : 'open', total: ((i % 97) * 3.5).toFixed(2), currency: 'EUR', items: JSON.stringify(items) });
}
// cart:<user>:<n> — nested namespaces.
for (let u = 1; u <= 30; u++) for (let n = 1; n <= 2; n++) p.hset(`cart:${u}:${n}`, `SKU-${u * n}`, String(n));
// session:<token> — expire in an hour.
for (let i = 0; i < 12; i++) {
  const key = `session:${(0x5eed + i * 7919).toString(16)}`;
  p.hset(key, { user: `user:${i + 1}`, ip: `10.0.0.${i + 2}`, browser: 'Firefox 128' });
  p.expire(key, 3600 + i * 60);
}
// config:app — JSON, multi-line and long values (these open in a text editor).
p.hset('config:app', {
  features: JSON.stringify({ darkMode: true, beta: ['search', 'export'], limits: { rps: 100, burst: 20 } }, null, 2),
  motd: 'Welcome!\nMaintenance on Sunday 02:00-03:00 UTC.\nThank you for your patience.',
  version: '3.2.1',
});
p.hset('doc:readme', 'body', Array.from({ length: 60 }, (_, i) => `Line ${i + 1}: Redis Hash Explorer edits long values in a real editor tab.`).join('\n'));
// binary — values that are not UTF-8 (shown escaped, never corrupted).
p.hset('binary:thumbnail', 'png', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(Array.from({ length: 56 }, (_, i) => (i * 37) & 255))]));
p.hset('binary:thumbnail', 'note', 'the png field holds bytes that are not UTF-8');
p.hset(Buffer.from([0x62, 0x69, 0x6e, 0x3a, 0xff, 0xfe]), 'field', 'a key name that is not UTF-8');
// Other types (shown when redisHashExplorer.keys.onlyHashes is off).
p.set('counter:visits', '12345');
p.rpush('queue:emails', 'welcome:1', 'welcome:2', 'reset:7');
p.sadd('tags:popular', 'redis', 'vscode', 'hash');
p.zadd('leaderboard', 300, 'ada', 250, 'grace', 200, 'linus');
p.xadd('events', '*', 'type', 'signup', 'user', 'user:1');
p.set('cache:homepage', '<html>…</html>', 'EX', 600);
await p.exec();

// catalog:big — one hash of 100,000 fields (the tree pages it; the hash editor streams it).
for (let i = 0; i < 100_000; i += 5_000) {
  const args = [];
  for (let j = i; j < i + 5_000; j++) {
    const sku = `sku:${String(j).padStart(6, '0')}`;
    args.push(sku, JSON.stringify({ name: `Product ${j}`, price: ((j % 1000) / 10 + 0.99).toFixed(2), stock: j % 37 }));
  }
  await redis.hset('catalog:big', ...args);
}

const keys = await redis.dbsize();
console.log(`seeded ${keys} keys (catalog:big has ${await redis.hlen('catalog:big')} fields) on ${host}:${port}`);
redis.disconnect();
