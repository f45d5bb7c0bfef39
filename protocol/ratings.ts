// The 好差评 values the client needs at run time, apart from the zod schemas (protocol/http/stats.ts)
// so that the phone's rating page and the dashboard do not bundle zod.

/** The five levels of the 好差评 system, best first; the score is 5 (非常满意) … 1 (非常不满意). */
export const ratingLevels = ['very_satisfied', 'satisfied', 'basic', 'dissatisfied', 'very_dissatisfied'] as const;
export type RatingLevel = (typeof ratingLevels)[number];
export const ratingScore: Readonly<Record<RatingLevel, number>> = {
  very_satisfied: 5,
  satisfied: 4,
  basic: 3,
  dissatisfied: 2,
  very_dissatisfied: 1,
};
export const RATING_COMMENT_MAX = 500;

export const statsDimensions = ['site', 'matter', 'clerk', 'month'] as const;
export type StatsDimension = (typeof statsDimensions)[number];
