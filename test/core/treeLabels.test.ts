import * as assert from 'node:assert/strict';
import { shortAddress, shortMessage } from '../../src/tree/labels';

/* Tree rows fit a sidebar of normal width; the whole texts go to the tooltip and the top of the view. */
describe('tree labels that fit the sidebar', () => {
  it('keeps a short address and cuts a long host in the middle, keeping the port', () => {
    assert.equal(shortAddress('127.0.0.1:6379'), '127.0.0.1:6379');
    const long = shortAddress('redis-12345.c1.us-east-1-2.ec2.cloud.redislabs.com:12345');
    assert.ok(long.length <= 24, long);
    assert.match(long, /^redis-1.*….*com:12345$/);
  });

  it('labels a message row with its first sentence, cut at a word', () => {
    assert.equal(shortMessage('No fields'), 'No fields');
    assert.equal(shortMessage('Could not connect. Is the server running?'), 'Could not connect.');
    assert.equal(shortMessage('Connection refused (127.0.0.1:6379). Is Redis running there?'), 'Connection refused.');
    const cut = shortMessage('Could not connect to the Redis server named production-cache-eu-west at its address');
    assert.ok(cut.length <= 32, cut);
    assert.match(cut, /^Could not connect to the Redis…$/);
  });
});
