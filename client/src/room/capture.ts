// A still from a participant's live video, as JPEG: what the handling clerk keeps as a snapshot.
export async function captureFrame(video: HTMLVideoElement, waitMs = 5_000): Promise<Blob> {
  await firstFrame(video, waitMs);
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext('2d')!.drawImage(video, 0, 0);
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('could not encode the frame'))), 'image/jpeg', 0.9),
  );
}

/** A tile that has just started (or restarted after a reconnect) may not hold a frame yet: wait a little. */
async function firstFrame(video: HTMLVideoElement, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (!video.videoWidth || video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) {
    if (Date.now() > deadline) throw new Error('no video frame yet');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The applicant's tile video, else the first remote one. */
export function applicantVideo(): HTMLVideoElement | null {
  return (
    document.querySelector<HTMLVideoElement>('[data-peer-role="applicant"] video') ??
    document.querySelector<HTMLVideoElement>('[data-testid="video-tile"]:not(:first-child) video')
  );
}
