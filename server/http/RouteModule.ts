import type { ApiRouter } from './ApiRouter.js';
import type { AppContext } from '../app/context.js';

/** One resource's routes. Add a module to `routeModules` (routes/index.ts) to mount it. */
export interface RouteModule {
  readonly name: string;
  register(api: ApiRouter, ctx: AppContext): void;
}
