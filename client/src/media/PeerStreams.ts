// One MediaStream per remote peer, from its first consumed track until the peer leaves the room.
// Tracks are added and removed on it as consumers come and go (also across a rejoin), so a <video>
// showing a peer is given srcObject once: a new stream object would make the element reload —
// readyState 0, currentTime from zero, a black flash — every time the room's state changes.
export class PeerStreams {
  readonly #streams = new Map<string, MediaStream>();
  #view: ReadonlyMap<string, MediaStream> = new Map();

  /** peerId → stream; a new map only when a peer gains or loses its stream, the streams themselves are kept. */
  get view(): ReadonlyMap<string, MediaStream> {
    return this.#view;
  }

  add(peerId: string, track: MediaStreamTrack): void {
    let stream = this.#streams.get(peerId);
    if (!stream) {
      stream = new MediaStream();
      this.#streams.set(peerId, stream);
      this.#view = new Map(this.#streams);
    }
    if (!stream.getTrackById(track.id)) stream.addTrack(track);
  }

  remove(peerId: string, track: MediaStreamTrack): void {
    this.#streams.get(peerId)?.removeTrack(track);
  }

  /** Forgets the streams of peers not in `peerIds` (they left; one who comes back gets a fresh stream). */
  retain(peerIds: ReadonlySet<string>): void {
    for (const [peerId, stream] of this.#streams) {
      if (peerIds.has(peerId)) continue;
      for (const track of stream.getTracks()) stream.removeTrack(track);
      this.#streams.delete(peerId);
    }
    if (this.#streams.size !== this.#view.size) this.#view = new Map(this.#streams);
  }
}
