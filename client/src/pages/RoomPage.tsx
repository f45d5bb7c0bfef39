// Minimal room page: consent dialog, one tile per participant, recording indicator. Styling and
// the case workflow around it come later; all media logic lives in ../media/.
import { useEffect, useRef } from 'react';
import { useRoom } from '../media/useRoom.js';
import type { RoomState } from '../media/RoomClient.js';

export function RoomPage({ sessionId }: { sessionId: string }) {
  const { client, state } = useRoom(sessionId);
  if (!client || !state) return <p>正在连接… / connecting…</p>;
  const recording = state.recording?.state === 'recording';
  return (
    <main>
      <header>
        <h1>视频办理 / Video session</h1>
        {recording && (
          <span data-testid="recording-indicator" role="status" style={{ color: '#c00' }}>
            ● 正在录音录像 / Recording
          </span>
        )}
        {state.phase === 'rejoining' && <span> 正在重新连接… / reconnecting…</span>}
        {state.error && <p role="alert">连接失败 / failed: {state.error}</p>}
      </header>
      {state.phase === 'joined' && !state.consented && <ConsentDialog onAccept={() => void client.consent()} />}
      <section style={{ display: 'flex', flexWrap: 'wrap', gap: 8 }}>
        {state.peerId && (
          <Tile name={`${state.peers.get(state.peerId)?.displayName ?? ''}（我）`} stream={state.localStream} muted speaking={false} />
        )}
        {remotePeers(state).map(({ id, name, stream, speaking }) => (
          <Tile key={id} name={name} stream={stream} muted={false} speaking={speaking} />
        ))}
      </section>
    </main>
  );
}

function ConsentDialog({ onAccept }: { onAccept: () => void }) {
  return (
    <div role="dialog" aria-modal="true" aria-labelledby="consent-title">
      <h2 id="consent-title">录音录像告知 / Recording notice</h2>
      <p>本次办理全程录音录像，录像将加密存证，用于证明办理过程。</p>
      <p>This session is recorded on the server and kept as tamper-evident evidence.</p>
      <button data-testid="consent-accept" onClick={onAccept}>
        我已知晓并同意 / I understand and agree
      </button>
    </div>
  );
}

function Tile({ name, stream, muted, speaking }: { name: string; stream: MediaStream | null; muted: boolean; speaking: boolean }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream;
  }, [stream]);
  return (
    <figure data-testid="video-tile" style={{ margin: 0, outline: speaking ? '3px solid #2a7' : 'none' }}>
      <video ref={ref} autoPlay playsInline muted={muted} width={320} height={240} style={{ background: '#222' }} />
      <figcaption>{name}</figcaption>
    </figure>
  );
}

function remotePeers(state: RoomState) {
  return [...state.peers.values()]
    .filter((p) => p.id !== state.peerId)
    .map((p) => {
      const tracks = state.remote.filter((r) => r.peerId === p.id).map((r) => r.consumer.track);
      return {
        id: p.id,
        name: p.displayName,
        stream: tracks.length ? new MediaStream(tracks) : null,
        speaking: state.activeSpeaker === p.id,
      };
    });
}
