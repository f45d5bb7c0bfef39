// The media section of the configuration reaches mediasoup: transports take ports from the
// configured range and announce the configured address (real worker, real transports).
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/kernel/config.js';
import { MediaService, mediaServiceOptions } from '../../server/features/media/index.js';

const started: MediaService[] = [];
afterAll(async () => {
  for (const m of started) await m.stop();
});

describe('media configuration', () => {
  it('maps host and announced address to listen addresses', () => {
    const at = (env: Record<string, string>) => mediaServiceOptions(loadConfig({ env })).listenIps[0];
    expect(at({ HOST: '127.0.0.1' })).toEqual({ ip: '127.0.0.1' });
    expect(at({ HOST: '10.0.0.5', TONGBAN_ANNOUNCED_IP: '203.0.113.20' })).toEqual({
      ip: '10.0.0.5',
      announcedIp: '203.0.113.20',
    });
    expect(at({ HOST: '0.0.0.0', TONGBAN_ANNOUNCED_IP: '203.0.113.20' })).toEqual({
      ip: '0.0.0.0',
      announcedIp: '203.0.113.20',
    });
    expect(at({ HOST: '0.0.0.0' })).toMatchObject({
      ip: '0.0.0.0',
      announcedIp: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/),
    });
  });

  it('gives transports ports from the configured range and the configured announced address', async () => {
    const config = loadConfig({
      env: {
        TONGBAN_MEDIA_WORKERS: '2',
        TONGBAN_RTC_MIN_PORT: '47100',
        TONGBAN_RTC_MAX_PORT: '47139',
        TONGBAN_ANNOUNCED_IP: '203.0.113.20',
      },
    });
    const media = await MediaService.start(mediaServiceOptions(config));
    started.push(media);
    expect(await media.pool.workers()).toHaveLength(2);
    const room = await media.room('media-config-session');
    await room.join({ id: 'user:p1', displayName: '测试', role: 'clerk' }, true);
    const transports = await Promise.all([
      room.createTransport('user:p1', 'send'),
      room.createTransport('user:p1', 'recv'),
    ]);
    const candidates = transports.flatMap((t) => t.iceCandidates);
    expect(candidates.length).toBeGreaterThanOrEqual(4);
    for (const c of candidates) {
      expect(c.port).toBeGreaterThanOrEqual(47100);
      expect(c.port).toBeLessThanOrEqual(47139);
      expect(c.ip).toBe('203.0.113.20');
    }
  });
});
