// One still from a recorded segment: ffmpeg decodes the segment's video up to a position and keeps
// the last frame at or before it as JPEG. Snapshots are taken this way from what was recorded (and
// chained), never from an image a client sends.
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

/**
 * Writes the frame of `segmentFile` shown `atSec` seconds into it (its timestamps start at 0) to
 * `outFile`; the segment's last frame when `atSec` is past its end. Rejects when no frame decodes.
 */
export async function grabFrame(segmentFile: string, atSec: number, outFile: string, ffmpegBin = 'ffmpeg') {
  const at = Math.max(0, atSec).toFixed(3);
  // `-update 1` overwrites the one output image with every frame that passes the select filter,
  // so what remains is the last frame at or before `at`. `-fps_mode vfr` drops a frame that repeats
  // its predecessor's timestamp (WebM keeps milliseconds), which the JPEG muxer refuses.
  const args = [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', segmentFile, '-map', '0:v:0'],
    ...['-vf', `select='lte(t\\,${at})'`, '-fps_mode', 'vfr', '-pix_fmt', 'yuvj420p'],
    ...['-q:v', '3', '-f', 'image2', '-update', '1', outFile],
  ];
  await new Promise<void>((resolve, reject) =>
    execFile(ffmpegBin, args, { timeout: 30_000 }, (err, _out, stderr) =>
      err ? reject(new Error(`ffmpeg could not decode a frame: ${String(stderr).trim() || err.message}`)) : resolve(),
    ),
  );
  if (!existsSync(outFile) || statSync(outFile).size === 0) throw new Error('no video frame in the segment');
}
