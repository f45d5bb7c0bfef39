// A still for the evidence (an ID card, a face, a document): while the server takes a snapshot from
// the recording, the camera sends one encoding only, at full resolution and with the whole send
// budget of its layers. The top simulcast layer is the first the browser drops on a weak uplink or
// a busy machine, and a card's print cannot be read in a lower one.

export class FullResolutionHold {
  readonly #sender: RTCRtpSender;
  #saved: RTCRtpEncodingParameters[] | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(sender: RTCRtpSender) {
    this.#sender = sender;
  }

  /** Holds for holdMs from now (a second request extends the hold), then restores the layers. */
  async hold(holdMs: number): Promise<void> {
    clearTimeout(this.#timer);
    // A sender closed meanwhile (the peer left) has nothing to restore.
    this.#timer = setTimeout(() => void this.release().catch(() => undefined), holdMs);
    if (this.#saved) return;
    const params = this.#sender.getParameters();
    this.#saved = params.encodings.map((e) => ({ ...e }));
    const budget = this.#saved.reduce((sum, e) => sum + (e.maxBitrate ?? 0), 0);
    const top = params.encodings.length - 1;
    params.encodings = params.encodings.map((e, i) =>
      i === top
        ? { ...e, active: true, scaleResolutionDownBy: 1, ...(budget > 0 ? { maxBitrate: budget } : {}) }
        : { ...e, active: false },
    );
    await this.#sender.setParameters(params);
  }

  async release(): Promise<void> {
    clearTimeout(this.#timer);
    const saved = this.#saved;
    this.#saved = undefined;
    if (!saved) return;
    const params = this.#sender.getParameters();
    params.encodings = params.encodings.map((e, i) => ({ ...e, ...saved[i] }));
    await this.#sender.setParameters(params);
  }
}
