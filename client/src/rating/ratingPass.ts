// The applicant's one-time rating pass (issue 16 §6): fetched while the guest login lasts and kept
// on this phone, because the login ends with the video session and the rating comes after it.
import { api } from '../api/http.js';
import type { RatingToken } from '../../../protocol/http/stats.js';

/** How long the server keeps a pass valid (RatingService's default), for the page's explanation. */
export const RATING_PASS_DAYS = 14;
const key = (caseId: string) => `tongban.rating.${caseId}`;

export async function fetchRatingPass(caseId: string): Promise<void> {
  const pass = await api<RatingToken>(`/api/cases/${encodeURIComponent(caseId)}/rating-token`, { method: 'POST' });
  try {
    localStorage.setItem(key(caseId), JSON.stringify(pass));
  } catch {
    // private mode: the applicant can still rate while the guest login lasts
  }
}

export function ratingPass(caseId: string): string | null {
  try {
    const pass = JSON.parse(localStorage.getItem(key(caseId)) ?? 'null') as RatingToken | null;
    return pass && Date.parse(pass.expiresAt) > Date.now() ? pass.token : null;
  } catch {
    return null;
  }
}

export function forgetRatingPass(caseId: string): void {
  try {
    localStorage.removeItem(key(caseId));
  } catch {
    // nothing kept
  }
}
