// A camera the test steers: the page's getUserMedia video becomes a canvas painting the picture the
// test names (the applicant's face, the ID card held up), so the server's snapshots of the recorded
// video see what each step needs. Chromium's file-based fake camera loops one clip and cannot be told
// when to show the card. Audio stays Chromium's fake microphone.
import type { Page } from 'playwright-core';

declare global {
  interface Window {
    __scene?: string;
  }
}

/** Installs the camera before the page loads; `scenes` are 640×480 PNGs, the first one shows first. */
export async function sceneCamera(page: Page, scenes: Record<string, Buffer>): Promise<void> {
  const urls = Object.fromEntries(
    Object.entries(scenes).map(([name, png]) => [name, `data:image/png;base64,${png.toString('base64')}`]),
  );
  await page.addInitScript((urls: Record<string, string>) => {
    window.__scene = Object.keys(urls)[0];
    const images = Object.fromEntries(
      Object.entries(urls).map(([name, url]) => {
        const img = new Image();
        img.src = url;
        return [name, img];
      }),
    );
    const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints?: MediaStreamConstraints) => {
      if (!constraints?.video) return original(constraints);
      const canvas = Object.assign(document.createElement('canvas'), { width: 640, height: 480 });
      const ctx = canvas.getContext('2d')!;
      let tick = 0;
      // Repainted every frame (one corner pixel alternating) so the track keeps sending frames.
      setInterval(() => {
        const img = images[window.__scene ?? ''];
        if (img?.complete) ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
        ctx.fillStyle = tick++ % 2 ? '#000' : '#010101';
        ctx.fillRect(0, 0, 1, 1);
      }, 66);
      const audio = constraints.audio ? (await original({ audio: constraints.audio })).getAudioTracks() : [];
      return new MediaStream([...canvas.captureStream(15).getVideoTracks(), ...audio]);
    };
  }, urls);
}

/** Switches the camera to another scene and waits until the recording surely carries it. */
export async function showScene(page: Page, name: string, settleMs = 2_000): Promise<void> {
  await page.evaluate((n) => {
    window.__scene = n;
  }, name);
  await new Promise((r) => setTimeout(r, settleMs));
}
