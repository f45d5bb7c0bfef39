// Media room placement on the run's real Redis (issue 14 §2): several media nodes beat with their
// load; a session goes to the least-loaded live node and stays there; two API nodes placing at once
// agree; a node that stops beating drops out and its sessions are placed anew; a placement lives
// while renewed and only its own node renews or releases it.
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RedisConnection } from '../../kernel/redis.js';
import { testRedis } from '../../test-support/redis.js';
import { MediaPlacement } from './MediaPlacement.js';

const NODE_TTL_MS = 600;
const PLACEMENT_TTL_MS = 1500;
const figures: string[] = [];
let apiA: RedisConnection;
let apiB: RedisConnection;
let onA: MediaPlacement;
let onB: MediaPlacement;

beforeAll(async () => {
  const { url, prefix } = testRedis();
  // Two connections, as two API nodes would hold.
  [apiA, apiB] = await Promise.all([RedisConnection.open(url, prefix), RedisConnection.open(url, prefix)]);
  const times = { nodeTtlMs: NODE_TTL_MS, placementTtlMs: PLACEMENT_TTL_MS };
  onA = new MediaPlacement(apiA, times);
  onB = new MediaPlacement(apiB, times);
});

afterAll(async () => {
  await Promise.all([apiA?.close(), apiB?.close()]);
  process.stdout.write(`media placement (real Redis):\n${figures.map((f) => `  ${f}`).join('\n')}\n`);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const beat = (id: string, load: number) => onA.heartbeat({ id, url: `https://${id}.example:8443`, load });

describe('media placement', () => {
  test('least-loaded live node first, sticky, and each placement counts as load until the next heartbeat', async () => {
    await Promise.all([beat('media-1', 3), beat('media-2', 0), beat('media-3', 1)]);
    expect((await onA.nodes()).map((n) => [n.id, n.load])).toEqual([
      ['media-2', 0],
      ['media-3', 1],
      ['media-1', 3],
    ]);
    const placed: string[] = [];
    const t0 = performance.now();
    for (const s of ['s1', 's2', 's3', 's4']) placed.push((await onA.place(s))!);
    const perPlace = (performance.now() - t0) / 4;
    // media-2: 0 → s1 (1) → tie with media-3 at 1, the smaller id wins: s2 (2); then media-3 (1) gets s3 (2);
    // then media-2 and media-3 tie at 2: media-2 again.
    expect(placed).toEqual(['media-2', 'media-2', 'media-3', 'media-2']);
    // Asking again (from either API node) keeps the placement and does not count it twice.
    expect(await onB.place('s1')).toBe('media-2');
    expect((await onA.nodes()).map((n) => [n.id, n.load])).toEqual([
      ['media-3', 2],
      ['media-1', 3],
      ['media-2', 3],
    ]);
    // A heartbeat reports the true room count again.
    await beat('media-2', 1);
    expect((await onA.nodes())[0]).toMatchObject({ id: 'media-2', load: 1 });
    figures.push(`placements s1..s4 on loads {media-1: 3, media-2: 0, media-3: 1} → ${placed.join(', ')}`);
    figures.push(`one place() (a Lua script on loopback Redis): ${perPlace.toFixed(2)} ms on average`);
  });

  test('two API nodes placing the same new session at once get the same node', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? onA : onB).place('contended')));
    expect(new Set(answers).size).toBe(1);
    expect(await onA.placementOf('contended')).toBe(answers[0]);
    figures.push(`20 concurrent place('contended') from two connections → all ${answers[0]}`);
  });

  test('a node that misses its heartbeat drops out; its sessions are placed on a live node', async () => {
    const before = await onA.placementOf('s1');
    expect(before).toBe('media-2');
    // media-1 and media-3 keep beating; media-2 stops.
    const t0 = performance.now();
    let gone = 0;
    while (performance.now() - t0 < 5 * NODE_TTL_MS) {
      await Promise.all([beat('media-1', 3), beat('media-3', 2)]);
      if (!(await onA.nodes()).some((n) => n.id === 'media-2')) {
        gone = performance.now() - t0;
        break;
      }
      await sleep(NODE_TTL_MS / 6);
    }
    expect(gone).toBeGreaterThan(0);
    const moved = await onB.place('s1');
    expect(moved).toBe('media-3');
    expect(await onA.placementOf('s1')).toBe('media-3');
    expect((await onA.nodes()).map((n) => n.id).sort()).toEqual(['media-1', 'media-3']);
    figures.push(
      `media-2 stopped beating: gone from the live nodes after ${gone.toFixed(0)} ms (TTL ${NODE_TTL_MS} ms); s1 moved media-2 → ${moved}`,
    );
  });

  test('a node to avoid (a satellite lost it, its heartbeat may linger): placed elsewhere, and never chosen', async () => {
    await Promise.all([beat('media-1', 0), beat('media-3', 5)]);
    await onA.claim('lost-home', 'media-1');
    // media-1 still beats, yet its session moves; the next caller keeps the new placement.
    expect(await onA.place('lost-home', 'media-1')).toBe('media-3');
    expect(await onB.place('lost-home')).toBe('media-3');
    expect(await onB.place('fresh', 'media-1')).toBe('media-3');
    await Promise.all(['lost-home', 'fresh'].map((s) => onA.release(s, 'media-3')));
  });

  test('a placement lives while its node renews it; another node can neither renew nor release it', async () => {
    await beat('media-1', 0);
    await onA.claim('kept', 'media-1');
    expect(await onA.renew('kept', 'media-3')).toBe(false);
    await onA.release('kept', 'media-3');
    expect(await onA.placementOf('kept')).toBe('media-1');
    await onA.claim('lapsing', 'media-1');
    for (let waited = 0; waited < PLACEMENT_TTL_MS * 1.5; waited += PLACEMENT_TTL_MS / 3) {
      expect(await onA.renew('kept', 'media-1')).toBe(true);
      await sleep(PLACEMENT_TTL_MS / 3);
    }
    expect(await onA.placementOf('kept')).toBe('media-1');
    expect(await onA.placementOf('lapsing')).toBeUndefined();
    await onA.release('kept', 'media-1');
    expect(await onA.placementOf('kept')).toBeUndefined();
    // With no live node at all, nothing is placed.
    await Promise.all(['media-1', 'media-3'].map((id) => onA.leave(id)));
    expect(await onA.place('nowhere')).toBeUndefined();
  });

  test('a participant goes to a live node listing its site (the home when it does), else to the home', async () => {
    const site = (id: string, load: number, sites: string[]) =>
      onA.heartbeat({ id, url: `https://${id}.example:8443`, load, sites });
    await Promise.all([
      site('media-zj', 0, ['cixi']),
      site('media-gz', 1, ['xingren']),
      site('media-gz2', 3, ['xingren']),
    ]);
    const home = await onA.place('affinity');
    expect(home).toBe('media-zj');
    expect(await onB.placeParticipant('affinity', 'cixi')).toBe('media-zj');
    // The less loaded of the two nodes near 兴仁.
    expect(await onB.placeParticipant('affinity', 'xingren')).toBe('media-gz');
    expect(await onB.placeParticipant('affinity', 'xingren', 'media-gz')).toBe('media-gz2');
    // No site (an applicant's guest login), or a site no node lists: the home.
    expect(await onA.placeParticipant('affinity', null)).toBe('media-zj');
    expect(await onA.placeParticipant('affinity', 'shenzhen')).toBe('media-zj');
    // A session whose home lists the site keeps that participant at home.
    await onA.claim('home-near', 'media-gz2');
    expect(await onA.placeParticipant('home-near', 'xingren')).toBe('media-gz2');
    await Promise.all(['media-zj', 'media-gz', 'media-gz2'].map((id) => onA.leave(id)));
    await onA.release('home-near', 'media-gz2');
  });
});
