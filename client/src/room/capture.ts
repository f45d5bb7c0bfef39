// A still from a participant's live video, as JPEG: what the handling clerk keeps as a snapshot.
export async function captureFrame(video: HTMLVideoElement): Promise<Blob> {
  if (!video.videoWidth) throw new Error('no video frame yet');
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext('2d')!.drawImage(video, 0, 0);
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('could not encode the frame'))), 'image/jpeg', 0.9),
  );
}

/** The applicant's tile video, else the first remote one. */
export function applicantVideo(): HTMLVideoElement | null {
  return (
    document.querySelector<HTMLVideoElement>('[data-peer-role="applicant"] video') ??
    document.querySelector<HTMLVideoElement>('[data-testid="video-tile"]:not(:first-child) video')
  );
}
