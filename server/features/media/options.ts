// The media section of the configuration as MediaService options. WebRTC listens on the served
// host, or on every interface; clients are told the configured announced address (a public IP in
// front of NAT), else, on every interface, the first external IPv4.
import { networkInterfaces } from 'node:os';
import type { Config } from '../../kernel/config.js';
import type { ms } from './engine.js';
import type { MediaServiceOptions } from './MediaService.js';

export function mediaServiceOptions(config: Config): Omit<MediaServiceOptions, 'recorder'> {
  const { workers, rtcMinPort, rtcMaxPort, announcedIp, siteBitrateCaps, audioOnlyFloorKbps, camera } = config.media;
  return {
    listenIps: [listenIp(config.host, announcedIp)],
    size: workers,
    rtcMinPort,
    rtcMaxPort,
    siteBitrateCaps,
    audioOnlyFloorKbps,
    camera,
  };
}

/**
 * Where this node's ends of cascade pipes listen, and the address the other node sends to: the
 * configured pipe address (a private network between media nodes), else the WebRTC one.
 */
export function pipeListenIp(config: Config): ms.TransportListenIp {
  const { pipeIp, announcedIp } = config.media;
  return pipeIp ? { ip: pipeIp } : listenIp(config.host, announcedIp);
}

function listenIp(host: string, announcedIp: string | undefined): ms.TransportListenIp {
  if (host !== '0.0.0.0' && host !== '::')
    return { ip: host === 'localhost' ? '127.0.0.1' : host, ...(announcedIp ? { announcedIp } : {}) };
  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal);
  return { ip: '0.0.0.0', announcedIp: announcedIp ?? external?.address ?? '127.0.0.1' };
}
