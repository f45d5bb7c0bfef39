import type { ApiRouter } from './ApiRouter.js';

/** One feature's HTTP routes, built by the feature from the services it needs. */
export interface RouteModule {
  readonly name: string;
  register(api: ApiRouter): void;
}
