// Liveness for load balancers and the CLI.
import { z } from 'zod';
import { route } from '../common.js';

export const health = z.object({ status: z.literal('ok'), schemaVersion: z.number() });
export type Health = z.infer<typeof health>;

export const getHealth = route({ method: 'get', path: '/healthz', auth: 'none', response: health });
