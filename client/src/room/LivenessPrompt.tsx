// The applicant's side of a liveness check: while the server watches the recorded video, the
// prompt (turn head / blink) fills the screen, large enough to read on a phone.
import { useEffect, useState } from 'react';
import { sharedSocket } from '../api/socket.js';
import type { LivenessPromptEvent } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';

export function LivenessPrompt({ sessionId }: { sessionId: string }) {
  const { t } = useI18n();
  const [prompt, setPrompt] = useState<LivenessPromptEvent['prompt']>(null);

  useEffect(() => {
    const socket = sharedSocket();
    let fallback: ReturnType<typeof setTimeout> | undefined;
    const onPrompt = (e: LivenessPromptEvent) => {
      if (e.sessionId !== sessionId) return;
      clearTimeout(fallback);
      setPrompt(e.prompt);
      // The end of the check clears it; should that push be lost, it goes away on its own.
      if (e.prompt) fallback = setTimeout(() => setPrompt(null), e.durationMs + 5000);
    };
    socket.on('identity:liveness', onPrompt);
    return () => {
      clearTimeout(fallback);
      socket.off('identity:liveness', onPrompt);
    };
  }, [sessionId]);

  if (!prompt) return null;
  return (
    <div className="liveness-prompt" role="alert" data-testid="liveness-prompt">
      <small>{t('face.prompt.title')}</small>
      <strong>{t(`face.prompt.${prompt}`)}</strong>
    </div>
  );
}
