// The applicant's rating page after the case ended (`/rate/:caseId`): no login, the rating pass kept
// on this phone when the applicant joined the video (ratingPass.ts).
import { AppShell } from '../components/AppShell.js';
import { useI18n } from '../i18n/i18n.js';
import { RatingForm } from '../rating/RatingForm.js';
import { RATING_PASS_DAYS, ratingPass } from '../rating/ratingPass.js';
import { useSession } from '../session.js';

export function RatePage({ caseId }: { caseId: string }) {
  const { t } = useI18n();
  const { me } = useSession();
  const token = ratingPass(caseId);
  // A guest login still open for this case rates without a pass (a signed case before archiving).
  const canRate = token !== null || (me?.kind === 'guest' && me.caseId === caseId);
  return (
    <AppShell>
      <section className="card narrow-card">
        <h1 id="rating-title">{t('rating.title')}</h1>
        {canRate ? (
          <RatingForm caseId={caseId} token={token} />
        ) : (
          <p className="muted" data-testid="rating-no-pass">
            {t('rating.noToken', { days: RATING_PASS_DAYS })}
          </p>
        )}
      </section>
    </AppShell>
  );
}
