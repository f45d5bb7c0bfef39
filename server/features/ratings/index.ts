// The ratings feature's public surface: 好差评 ratings and the statistics dashboard's figures.
export { RatingService } from './RatingService.js';
export { StatsService } from './StatsService.js';
export { ratingRoutes } from './routes.js';
