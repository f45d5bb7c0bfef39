// 好差评 and statistics (issue 16 §6): the applicant rates the service once after the case ends (on
// the phone page, with a one-time rating token, since the guest login ends with the session); admins
// and auditors read volumes, waiting times, session durations, rejection rates and ratings by site,
// matter, clerk or month, and export the ratings as CSV in the provincial 好差评 layout.
import { z } from 'zod';
import { idParams, route, slug } from '../common.js';
import { RATING_COMMENT_MAX, ratingLevels, statsDimensions } from '../ratings.js';

export { RATING_COMMENT_MAX, ratingLevels, ratingScore, statsDimensions, type RatingLevel } from '../ratings.js';
export const ratingLevel = z.enum(ratingLevels);

export const ratingToken = z.object({ token: z.string(), expiresAt: z.string() });
export type RatingToken = z.infer<typeof ratingToken>;

export const newRatingBody = z
  .object({
    level: ratingLevel,
    comment: z.string().trim().max(RATING_COMMENT_MAX).optional(),
    /** The one-time rating token (base64url) kept on the phone; not needed while the guest login lasts. */
    token: z
      .string()
      .regex(/^[A-Za-z0-9_-]{32,64}$/, 'expected a rating token')
      .optional(),
  })
  .strict();
export type NewRatingBody = z.input<typeof newRatingBody>;

export const rating = z.object({ caseId: z.string(), level: ratingLevel, ratedAt: z.string() });
export type Rating = z.infer<typeof rating>;

export const statsDimension = z.enum(statsDimensions);
export type StatsDimension = z.infer<typeof statsDimension>;

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD');
/** Filters select cases by the day they were opened (UTC, both ends inclusive), site (either end), matter, clerk. */
const statsFilters = {
  from: day.optional(),
  to: day.optional(),
  site: slug.optional(),
  matter: slug.optional(),
  clerk: slug.optional(),
};
export const statsQuery = z.object({ by: statsDimension.default('month'), ...statsFilters }).strict();
export type StatsQuery = z.input<typeof statsQuery>;
export const ratingsExportQuery = z.object(statsFilters).strict();

const durationStats = z.object({ count: z.number().int(), meanMs: z.number(), medianMs: z.number() }).nullable();

export const statsGroup = z.object({
  /** The site, matter or clerk id, or the month `YYYY-MM`; '' for cases no clerk took up. */
  key: z.string(),
  label: z.string(),
  cases: z.number().int(),
  accepted: z.number().int(),
  rejected: z.number().int(),
  /** rejected / (accepted + rejected); null before any decision. */
  rejectionRate: z.number().nullable(),
  /** Case opened → accepted by the handling clerk. */
  waiting: durationStats,
  /** Video session start → end (ended sessions only). */
  session: durationStats,
  ratings: z.object({
    count: z.number().int(),
    average: z.number().nullable(),
    distribution: z.record(ratingLevel, z.number().int()),
  }),
});
export type StatsGroup = z.infer<typeof statsGroup>;

export const recentRating = z.object({
  caseNumber: z.string(),
  matter: z.string(),
  site: z.string(),
  level: ratingLevel,
  comment: z.string().nullable(),
  ratedAt: z.string(),
});

export const statsReport = z.object({
  by: statsDimension,
  groups: z.array(statsGroup),
  total: statsGroup,
  recentRatings: z.array(recentRating),
});
export type StatsReport = z.infer<typeof statsReport>;

export const issueRatingToken = route({
  method: 'post',
  path: '/api/cases/:id/rating-token',
  params: idParams,
  response: ratingToken,
  status: 201,
});
export const rateCase = route({
  method: 'post',
  path: '/api/cases/:id/rating',
  // No login needed: the guest login has usually ended; the rating token (or a live guest login) decides.
  auth: 'none',
  params: idParams,
  body: newRatingBody,
  response: rating,
  status: 201,
});
export const getStats = route({ method: 'get', path: '/api/stats', query: statsQuery, response: statsReport });
export const exportRatings = route({
  method: 'get',
  path: '/api/stats/ratings.csv',
  query: ratingsExportQuery,
  produces: 'text/csv',
});
