// 好差评 and statistics over HTTP: the applicant's rating token and rating, the dashboard's figures
// and the ratings export.
import type { RouteModule } from '../../http/RouteModule.js';
import type { RatingService } from './RatingService.js';
import type { StatsService } from './StatsService.js';
import { ratingsCsv } from './ratings-csv.js';
import { exportRatings, getStats, issueRatingToken, rateCase } from '../../../protocol/http/stats.js';

export interface RatingRoutesDeps {
  readonly ratings: RatingService;
  readonly stats: StatsService;
}

export function ratingRoutes(deps: RatingRoutesDeps): RouteModule {
  return {
    name: 'ratings',
    register(api) {
      api.route({
        ...issueRatingToken,
        summary: "The applicant's one-time rating token, kept on the phone to rate after the session ends",
        tag: 'ratings',
        access: 'rating.token',
        handler: ({ principal, params }) => deps.ratings.issueToken(principal, params.id),
      });

      api.route({
        ...rateCase,
        summary: 'The applicant rates the service of an ended case (好差评), once',
        tag: 'ratings',
        // The guest login has usually ended by now: the rating token (or a live guest login) decides.
        access: 'public',
        handler: ({ principal, params, body }) => deps.ratings.rate(principal, params.id, body),
      });

      api.route({
        ...getStats,
        summary:
          'Volumes, waiting times, session durations, rejection rates and ratings by site, matter, clerk or month',
        tag: 'ratings',
        access: 'stats.read',
        handler: ({ query }) => deps.stats.report(query.by, query),
      });

      api.route({
        ...exportRatings,
        summary: 'The ratings of the selected cases as CSV in the provincial 好差评 layout',
        tag: 'ratings',
        access: 'stats.read',
        personalData: { what: '好差评 export (masked applicant names, comments)', object: () => 'ratings' },
        handler: async ({ res, query }) => {
          res.setHeader('content-type', 'text/csv; charset=utf-8');
          res.setHeader('content-disposition', 'attachment; filename="haochaping.csv"');
          res.send(ratingsCsv(await deps.stats.facts(query)));
          return undefined;
        },
      });
    },
  };
}
