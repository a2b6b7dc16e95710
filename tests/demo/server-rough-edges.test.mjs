// A newcomer's rough edges of the dev server: a busy port, the mock's attempt count, and
// what the CLI says when MOCK_REQUIRE_KEY is set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from 'cometapi-responses';
import { AttemptCounter } from '../../mock/faults.mjs';
import { inProcessMock, statusOf } from '../js/client-helpers.mjs';
import { cli, postX, server } from './helpers.mjs';

test('a busy port: one line that says what to do, no stack', async (t) => {
  const busy = await server(t, { port: 0 });
  const r = await cli(['--port', String(busy.port)]);
  assert.equal(r.code, 1);
  assert.equal(r.err, `port ${busy.port} is in use — try \`PORT=${busy.port + 1} make demo\` (or --port ${busy.port + 1})\n`);
  assert.doesNotMatch(r.err, /\n\s+at |Error:/);
  const viaEnv = await cli([], { PORT: String(busy.port) });
  assert.match(viaEnv.err, new RegExp(`^port ${busy.port} is in use — try \`PORT=${busy.port + 1} make demo\``));
});

test('MOCK_REQUIRE_KEY: the CLI does not claim "no key", and the key is required', async (t) => {
  const r = await cli(['--port', '0'], { MOCK_REQUIRE_KEY: 'sk-needed-123' });
  try {
    assert.ok(r.url, r.err);
    assert.doesNotMatch(r.out, /no key/);
    assert.match(r.out, /401 unless `Authorization: Bearer \$MOCK_REQUIRE_KEY`/);
    assert.doesNotMatch(r.out + r.err, /sk-needed-123/, 'the key itself is not printed');
    assert.equal(await statusOf(postX(r.url)), 401);
  } finally {
    await r.stop();
  }
  const plain = await cli(['--port', '0']);
  t.after(() => plain.stop());
  assert.match(plain.out, /mock Responses API at \/v1 \(no key, no network\)/);
});

test('the mock counts attempts per request: with maxRetries 0 every request is attempt 1', async () => {
  const { mock, clientOf } = inProcessMock();
  const client = (maxRetries) => clientOf({ maxRetries });
  const headers = { 'x-mock-fault': 'status=500' };
  for (const input of ['first', 'second', 'third']) {
    const err = await client(0).create({ model: 'm', input }, { headers }).catch((e) => e);
    assert.ok(err instanceof ApiError, String(err));
    assert.match(err.message, /on attempt 1 /, `${input}: ${err.message}`);
  }
  // the retries of one request count up (and a fail-first request then succeeds)
  const r = await client(2).create({ model: 'm', input: 'retried' }, { headers: { 'x-mock-fault': 'fail-first=2,retry-after-ms=1' } });
  assert.equal(r.status, 'completed');
  const seen = mock.requests.filter((q) => q.body?.input === 'retried');
  assert.equal(seen.length, 3);
  const again = await client(0).create({ model: 'm', input: 'retried' }, { headers: { 'x-mock-fault': 'fail-first=2,retry-after-ms=1' } });
  assert.equal(again.status, 'completed', 'the same request again within a minute: its attempt 4');
  // an explicit key wins; a key unused for a minute starts over
  const counter = new AttemptCounter({ idleMs: 60000 });
  assert.deepEqual([counter.next('k', 0), counter.next('k', 1000), counter.next('k', 2000)], [1, 2, 3]);
  assert.equal(counter.next('k', 70000), 1);
});
