// Node-to-node requests over the run's real Redis (issue 14 §4): two nodes answer each other with
// correlation ids; a method's data is checked with its zod schema (a mismatch is refused, the
// handler never runs); a reply of the wrong shape is refused; garbage published on a node's
// channel is dropped without harm; a node that does not answer fails the request with a clear error.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { z } from 'zod';
import { RedisConnection } from './redis.js';
import { NodeRequestError, NodeRpc, NodeUnreachableError } from './node-rpc.js';
import { testRedis } from '../test-support/redis.js';

let redis: RedisConnection;
let one: NodeRpc;
let two: NodeRpc;
const logged: string[] = [];
const calls: { n: number; from: string }[] = [];

beforeAll(async () => {
  const { url, prefix } = testRedis();
  redis = await RedisConnection.open(url, prefix);
  one = new NodeRpc(redis, 'node-1', { timeoutMs: 500 });
  two = new NodeRpc(redis, 'node-2', { timeoutMs: 500, log: (e) => logged.push(String(e)) });
  two.handle('double', z.object({ n: z.number().int() }).strict(), async ({ n }, from) => {
    calls.push({ n, from });
    return { n: 2 * n };
  });
  two.handle('fails', z.object({}), async () => {
    throw new Error('not today');
  });
  await Promise.all([one.start(), two.start()]);
});

afterAll(async () => {
  one?.close();
  two?.close();
  await redis?.close();
});

const doubled = z.object({ n: z.number() }).strict();

test('a request is answered by the named node, with its caller known; concurrent replies find their requests', async () => {
  const replies = await Promise.all([1, 2, 3, 4].map((n) => one.request('node-2', 'double', { n }, doubled)));
  expect(replies).toEqual([{ n: 2 }, { n: 4 }, { n: 6 }, { n: 8 }]);
  expect(calls.every((c) => c.from === 'node-1')).toBe(true);
});

test('data of the wrong shape is refused before the handler; a handler failure and an unknown method come back as refusals', async () => {
  calls.length = 0;
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => null,
      (e: Error) => e,
    );
  const bad = await refusal(one.request('node-2', 'double', { n: 'two' }, doubled));
  expect(bad).toBeInstanceOf(NodeRequestError);
  expect((bad as Error).message).toMatch(/^node node-2 refused double: invalid double: n /);
  expect(calls).toEqual([]);
  expect(((await refusal(one.request('node-2', 'fails', {}, doubled))) as Error).message).toBe(
    'node node-2 refused fails: not today',
  );
  expect(((await refusal(one.request('node-2', 'nope', {}, doubled))) as Error).message).toMatch(/unknown method nope/);
  // A reply that does not match what the caller expects is refused too.
  const wrong = await refusal(one.request('node-2', 'double', { n: 1 }, z.object({ n: z.string() })));
  expect((wrong as Error).message).toMatch(/^node node-2 refused double: malformed reply/);
});

test('garbage on a node’s channel is dropped and logged; the node goes on answering', async () => {
  for (const junk of ['not json', '{"kind":"request"}', JSON.stringify({ kind: 'reply', id: 'x', ok: true, data: 1 })])
    await redis.publish('node-rpc:node-2', junk);
  expect(await one.request('node-2', 'double', { n: 5 }, doubled)).toEqual({ n: 10 });
  expect(logged.some((l) => l.includes('unreadable message dropped'))).toBe(true);
  expect(logged.some((l) => l.includes('malformed message dropped'))).toBe(true);
});

test('a node nobody answers for: the request fails after the timeout, naming node and method', async () => {
  const started = Date.now();
  const err = await one.request('node-9', 'double', { n: 1 }, doubled, 300).then(
    () => null,
    (e: Error) => e,
  );
  expect(err).toBeInstanceOf(NodeUnreachableError);
  expect(err?.message).toBe('node node-9 did not answer double within 300 ms');
  expect(Date.now() - started).toBeGreaterThanOrEqual(290);
});
