// The check before the recording notice is accepted: the camera's picture, the microphone's level
// and a short bandwidth probe against the SFU, with plain advice for whatever is wrong (no camera,
// a silent microphone, a weak network → audio only suggested). It opens the room client's own
// camera and microphone, so publishing after consent reuses them.
import { useEffect, useRef, useState } from 'react';
import { probeCeilingKbps, probeLowKbps, type ProbeResult } from '../../../protocol/media.js';
import { useI18n, type MessageKey } from '../i18n/i18n.js';
import type { RoomClient } from '../media/RoomClient.js';

/** RMS level of a microphone that picks up anything at all. */
const silentLevel = 0.01;
const listenMs = 3000;

type Probe = { state: 'running' } | { state: 'done'; result: ProbeResult } | { state: 'failed' };

export function PrejoinCheck({ client }: { client: RoomClient }) {
  const { t } = useI18n();
  const video = useRef<HTMLVideoElement>(null);
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [noCamera, setNoCamera] = useState(false);
  const [level, setLevel] = useState(0);
  const [loudest, setLoudest] = useState(0);
  const [listened, setListened] = useState(false);
  const [probe, setProbe] = useState<Probe>({ state: 'running' });

  useEffect(() => {
    let live = true;
    client.openLocalMedia().then(
      (s) => live && setStream(s),
      () => live && setNoCamera(true),
    );
    // The network is measured with data, camera or not.
    client.probe().then(
      (result) => live && setProbe({ state: 'done', result }),
      () => live && setProbe({ state: 'failed' }),
    );
    return () => {
      live = false;
    };
  }, [client]);

  useEffect(() => {
    if (!stream) return;
    if (video.current) video.current.srcObject = stream;
    if (stream.getVideoTracks().length === 0) setNoCamera(true);
    // The microphone's level: RMS of the waveform.
    const audio = stream.getAudioTracks()[0];
    const ctx = audio ? new AudioContext() : null;
    let timer: ReturnType<typeof setInterval> | undefined;
    if (ctx && audio) {
      const analyser = ctx.createAnalyser();
      analyser.fftSize = 1024;
      ctx.createMediaStreamSource(new MediaStream([audio])).connect(analyser);
      const buf = new Float32Array(analyser.fftSize);
      // Read every window (1024 samples ≈ 21 ms) and show each quarter second's loudest: read only
      // four times a second, short sounds repeating in step with the reads (Chromium's fake microphone
      // beeps with its fake camera's frames) were read between beeps only and the meter stayed at 0.
      let peak = 0;
      let reads = 0;
      timer = setInterval(() => {
        analyser.getFloatTimeDomainData(buf);
        peak = Math.max(peak, Math.sqrt(buf.reduce((a, x) => a + x * x, 0) / buf.length));
        if (++reads % 12) return;
        const rms = Math.round(1000 * peak) / 1000;
        peak = 0;
        setLevel(rms);
        setLoudest((m) => Math.max(m, rms));
      }, 20);
    }
    const listening = setTimeout(() => setListened(true), listenMs);
    return () => {
      clearInterval(timer);
      clearTimeout(listening);
      void ctx?.close();
    };
  }, [client, stream]);

  const advice: MessageKey[] = [];
  if (noCamera) advice.push('prejoin.noCamera');
  if (stream && listened && loudest < silentLevel) advice.push('prejoin.silentMic');
  if (probe.state === 'done' && probe.result.kbps < probeLowKbps) advice.push('prejoin.lowBandwidth');
  if (probe.state === 'failed') advice.push('prejoin.probeFailed');
  const finished = listened && probe.state !== 'running';
  const kbps = probe.state === 'done' ? probe.result.kbps : 0;

  return (
    <section className="prejoin" data-testid="prejoin" aria-label={t('prejoin.title')}>
      <h3>{t('prejoin.title')}</h3>
      <div className="prejoin-grid">
        <figure>
          <video
            ref={video}
            autoPlay
            playsInline
            muted
            data-testid="prejoin-preview"
            aria-label={t('prejoin.camera')}
          />
          <figcaption>{t('prejoin.camera')}</figcaption>
        </figure>
        <dl>
          <dt>{t('prejoin.microphone')}</dt>
          <dd>
            <meter data-testid="prejoin-level" min={0} max={0.3} low={silentLevel} value={Math.min(0.3, level)} />
          </dd>
          <dt>{t('prejoin.bandwidth')}</dt>
          <dd data-testid="prejoin-bandwidth" data-kbps={probe.state === 'done' ? kbps : undefined}>
            {probe.state === 'running'
              ? t('prejoin.measuring')
              : probe.state === 'done'
                ? t(kbps >= 0.9 * probeCeilingKbps ? 'prejoin.kbpsAtLeast' : 'prejoin.kbps', { kbps })
                : '–'}
          </dd>
        </dl>
      </div>
      <ul className="prejoin-advice" data-testid="prejoin-advice" role="status">
        {advice.map((key) => (
          <li key={key} className="warn" data-advice={key}>
            {t(key, { kbps })}
          </li>
        ))}
        {finished && advice.length === 0 && (
          <li className="ok" data-advice="prejoin.ok">
            {t('prejoin.ok')}
          </li>
        )}
      </ul>
    </section>
  );
}
