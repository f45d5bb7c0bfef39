// A synthetic camera and microphone for bots: one I420 video source (a bar moving over a gradient,
// so the encoder has real work) and one 48 kHz tone, fed by two timers shared by every bot in the
// process. Each call to tracks() makes fresh tracks on the shared sources.
import wrtc from '@roamhq/wrtc';

export interface SyntheticMediaOptions {
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
  /** An I420 picture of width×height shown instead of the moving bar (e.g. an ID card held up). */
  readonly still?: Uint8Array;
}

export class SyntheticMedia {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly #video = new wrtc.nonstandard.RTCVideoSource();
  readonly #audio = new wrtc.nonstandard.RTCAudioSource();
  readonly #timers: NodeJS.Timeout[] = [];
  framesSent = 0;
  /** I420 frames sent in a loop instead of the moving bar (a face, an ID card held up: one frame). */
  #clip: readonly Uint8Array[] | null = null;
  #clipAt = 0;

  constructor(o: SyntheticMediaOptions = {}) {
    this.width = o.width ?? 320;
    this.height = o.height ?? 240;
    this.fps = o.fps ?? 15;
    if (o.still) this.show(o.still);
    const { width, height } = this;
    const frame = new Uint8Array((width * height * 3) / 2);
    for (let y = 0; y < height; y++) frame.fill((y * 255) / height, y * width, (y + 1) * width);
    frame.fill(128, width * height);
    let bar = 0;
    this.#timers.push(
      setInterval(() => {
        const clip = this.#clip;
        const data = Uint8Array.from(clip ? clip[this.#clipAt++ % clip.length]! : frame);
        bar = (bar + 4) % width;
        if (!clip)
          for (let y = 0; y < height; y++) data.fill(235, y * width + bar, y * width + Math.min(width, bar + 16));
        this.#video.onFrame({ width, height, data });
        this.framesSent += 1;
      }, 1000 / this.fps),
    );
    // A microphone delivers 48 000 samples a second whatever the CPU load. A 10 ms timer fires late on
    // a busy machine (487 ticks in 5 s beside 4 CPU burners, measured here), and the audio's RTP clock,
    // which counts samples, fell behind the session's: a recorded camera ended before the session did.
    // So each tick sends every 10 ms frame that is due.
    const samples = new Int16Array(480);
    let phase = 0;
    const startedMs = performance.now();
    let framesDue = 0;
    this.#timers.push(
      setInterval(() => {
        const due = Math.floor((performance.now() - startedMs) / 10);
        // After a stall longer than a second (a suspended process) the lost time is not sent in a burst.
        framesDue = Math.max(framesDue, due - 100);
        for (; framesDue < due; framesDue++) {
          for (let i = 0; i < samples.length; i++)
            samples[i] = Math.round(3000 * Math.sin((phase += (2 * Math.PI * 440) / 48_000)));
          this.#audio.onData({ samples, sampleRate: 48_000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 });
        }
      }, 10),
    );
  }

  /** Loops these I420 frames (of this source's size, e.g. read from a y4m file); null: the moving bar again. */
  play(frames: readonly Uint8Array[] | null): void {
    const size = (this.width * this.height * 3) / 2;
    if (frames?.some((f) => f.length !== size))
      throw new Error(`play: frames must be ${this.width}×${this.height} I420`);
    this.#clip = frames?.length ? frames : null;
    this.#clipAt = 0;
  }

  tracks(): { video: MediaStreamTrack; audio: MediaStreamTrack } {
    return {
      video: this.#video.createTrack() as unknown as MediaStreamTrack,
      audio: this.#audio.createTrack() as unknown as MediaStreamTrack,
    };
  }

  /** Shows another still picture (I420, width×height) from the next frame on. */
  show(still: Uint8Array): void {
    this.play([still]);
  }

  stop(): void {
    for (const t of this.#timers.splice(0)) clearInterval(t);
  }
}
