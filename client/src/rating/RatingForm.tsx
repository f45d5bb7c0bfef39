// The 好差评 form on the applicant's phone: five levels, an optional bounded comment, sent once.
import { useState, type FormEvent } from 'react';
import { api } from '../api/http.js';
import { ErrorAlert } from '../components/Alert.js';
import { useAction } from '../components/useAsync.js';
import { useI18n } from '../i18n/i18n.js';
import { RATING_COMMENT_MAX, ratingLevels, type RatingLevel } from '../../../protocol/ratings.js';
import { forgetRatingPass } from './ratingPass.js';

export function RatingForm({ caseId, token }: { caseId: string; token: string | null }) {
  const { t } = useI18n();
  const [level, setLevel] = useState<RatingLevel | null>(null);
  const [comment, setComment] = useState('');
  const [done, setDone] = useState(false);
  const send = useAction(async () => {
    const body = { level, ...(comment.trim() ? { comment: comment.trim() } : {}), ...(token ? { token } : {}) };
    await api(`/api/cases/${encodeURIComponent(caseId)}/rating`, { method: 'POST', body });
    forgetRatingPass(caseId);
    setDone(true);
  });
  if (done)
    return (
      <p className="alert ok" role="status" data-testid="rating-thanks">
        {t('rating.thanks')}
      </p>
    );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void send.run();
  };
  return (
    <form className="rating-form" onSubmit={submit} aria-labelledby="rating-title">
      <p>{t('rating.intro')}</p>
      <fieldset className="rating-levels">
        <legend>{t('rating.legend')}</legend>
        {ratingLevels.map((l) => (
          <label key={l} className={level === l ? 'chosen' : undefined}>
            <input
              type="radio"
              name="rating-level"
              value={l}
              checked={level === l}
              onChange={() => setLevel(l)}
              data-testid={`rating-${l}`}
            />
            {t(`rating.level.${l}`)}
          </label>
        ))}
      </fieldset>
      <label className="block">
        {t('rating.comment', { max: RATING_COMMENT_MAX })}
        <textarea
          rows={3}
          maxLength={RATING_COMMENT_MAX}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          data-testid="rating-comment"
        />
      </label>
      <ErrorAlert error={send.error} />
      <button
        type="submit"
        className="primary block"
        disabled={level === null || send.busy}
        data-testid="rating-submit"
      >
        {send.busy ? t('rating.submitting') : t('rating.submit')}
      </button>
    </form>
  );
}
