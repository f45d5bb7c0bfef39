// Debian chromium through playwright-core, with the flags media-notes.md measured; every launch
// gets a fresh profile from playwright. Fake camera/microphone, loopback ICE allowed.
import { chromium, type Browser, type Page } from 'playwright-core';

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--allow-loopback-in-peer-connection',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--autoplay-policy=no-user-gesture-required',
      ...extraArgs,
    ],
  });
}

/**
 * The camera the browser tests capture (the server's config media.camera): three pages each encode
 * their simulcast layers and decode two remotes on two shared cores; 960×540 (the default) starved
 * the encoders there (5.7–9.9 fps of 15 sent).
 */
export const testCamera = { width: 640, height: 360, frameRate: 15 } as const;

/** What a page's camera really sends per simulcast layer (rid, height, fps, what limits it). */
export async function sendLayers(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const video = (await window.__tongbanRoom!.sendStats()).find((s) => s.kind === 'video');
    return (video?.layers ?? [])
      .map(
        (l) =>
          `${l.rid ?? '-'} ${l.height ?? '?'}p ${l.fps ?? 0} fps (${l.framesSent} frames, limited by ${l.limitation})`,
      )
      .join('; ');
  });
}

export interface DecodeSummary {
  /** peerId → frames decoded from that peer's video */
  readonly frames: Record<string, number>;
  /** peerId → audio packets received from that peer */
  readonly audioPackets: Record<string, number>;
}

/** Reads the room client's inbound counters inside the page. */
export async function decodeSummary(page: Page): Promise<DecodeSummary> {
  return page.evaluate(async () => {
    const room = window.__tongbanRoom;
    const frames: Record<string, number> = {};
    const audioPackets: Record<string, number> = {};
    for (const s of room ? await room.stats() : []) {
      if (s.kind === 'video') frames[s.peerId] = (frames[s.peerId] ?? 0) + s.framesDecoded;
      else audioPackets[s.peerId] = (audioPackets[s.peerId] ?? 0) + s.packetsReceived;
    }
    return { frames, audioPackets };
  });
}

/** Waits until video frames and audio packets from every expected peer are counted and rising. */
export async function waitForDecoding(
  page: Page,
  peers: readonly string[],
  timeoutMs = 20_000,
): Promise<DecodeSummary> {
  const deadline = Date.now() + timeoutMs;
  let first: DecodeSummary | null = null;
  for (;;) {
    const now = await decodeSummary(page);
    const flowing = peers.every((p) => (now.frames[p] ?? 0) > 0 && (now.audioPackets[p] ?? 0) > 0);
    if (flowing && !first) first = now;
    else if (
      flowing &&
      first &&
      peers.every((p) => now.frames[p]! > first!.frames[p]! && now.audioPackets[p]! > first!.audioPackets[p]!)
    ) {
      return now;
    }
    if (Date.now() > deadline) throw new Error(`media from ${peers.join(', ')} not flowing: ${JSON.stringify(now)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
