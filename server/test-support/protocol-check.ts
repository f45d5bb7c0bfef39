// Tests hold the server to the shared protocol: every JSON answer a test client reads is checked
// against the response schema of its route (protocol/http/*), made strict at every level so a
// field the schema does not list fails as surely as a missing one; error bodies must carry an
// ErrorCode. The schemas stay as they are for production; only tests are this strict.
import { z } from 'zod';
import type { RouteDescriptor } from '../../protocol/common.js';
import { errorBody } from '../../protocol/errors.js';
import * as admin from '../../protocol/http/admin.js';
import * as audit from '../../protocol/http/audit.js';
import * as auth from '../../protocol/http/auth.js';
import * as cases from '../../protocol/http/cases.js';
import * as catalog from '../../protocol/http/catalog.js';
import * as ceremonies from '../../protocol/http/ceremonies.js';
import * as documents from '../../protocol/http/documents.js';
import * as health from '../../protocol/http/health.js';
import * as identity from '../../protocol/http/identity.js';
import * as pki from '../../protocol/http/pki.js';
import * as recording from '../../protocol/http/recording.js';
import * as records from '../../protocol/http/records.js';
import * as sessions from '../../protocol/http/sessions.js';
import * as stats from '../../protocol/http/stats.js';

const isRoute = (v: unknown): v is RouteDescriptor =>
  typeof v === 'object' &&
  v !== null &&
  'method' in v &&
  'path' in v &&
  typeof (v as RouteDescriptor).path === 'string';

/** Every route descriptor the protocol exports. */
export const protocolRoutes: readonly RouteDescriptor[] = [
  admin,
  audit,
  auth,
  cases,
  catalog,
  ceremonies,
  documents,
  health,
  identity,
  pki,
  recording,
  records,
  sessions,
  stats,
]
  .flatMap((area) => Object.values(area))
  .filter(isRoute);

/** The same schema with every object strict (unknown keys fail), all the way down. */
export function deepStrict(schema: z.ZodTypeAny): z.ZodTypeAny {
  if (schema instanceof z.ZodObject) {
    const shape = Object.fromEntries(Object.entries(schema.shape as z.ZodRawShape).map(([k, v]) => [k, deepStrict(v)]));
    return z.object(shape).strict();
  }
  if (schema instanceof z.ZodArray) return z.array(deepStrict(schema.element));
  if (schema instanceof z.ZodNullable) return deepStrict(schema.unwrap()).nullable();
  if (schema instanceof z.ZodOptional) return deepStrict(schema.unwrap()).optional();
  if (schema instanceof z.ZodUnion)
    return z.union((schema.options as z.ZodTypeAny[]).map(deepStrict) as [z.ZodTypeAny, z.ZodTypeAny]);
  return schema;
}

interface Matcher {
  readonly method: string;
  readonly pattern: RegExp;
  readonly route: RouteDescriptor;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const matchers: Matcher[] = protocolRoutes.map((route) => ({
  method: route.method.toUpperCase(),
  pattern: new RegExp(
    `^${route.path
      .split(/(:[A-Za-z0-9_]+)/)
      .map((part) => (part.startsWith(':') ? '[^/]+?' : escape(part)))
      .join('')}$`,
  ),
  route,
}));
const strictResponses = new Map<RouteDescriptor, z.ZodTypeAny>();
const strictErrorBody = deepStrict(errorBody);

/** The protocol route a request went to, if the protocol knows it. */
export function routeOf(method: string, path: string): RouteDescriptor | undefined {
  const pathname = new URL(path, 'https://x').pathname;
  return matchers.find((m) => m.method === method.toUpperCase() && m.pattern.test(pathname))?.route;
}

/** Throws when a JSON answer does not fit the protocol: the route's response, or the error body. */
export function checkResponse(method: string, path: string, status: number, body: unknown): void {
  const route = routeOf(method, path);
  if (!route) return;
  let schema: z.ZodTypeAny | undefined = strictErrorBody;
  if (status < 400) {
    schema =
      route.response &&
      (strictResponses.get(route) ?? strictResponses.set(route, deepStrict(route.response)).get(route));
  }
  if (!schema) return;
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
    throw new Error(`${method} ${path} → ${status}: the answer does not fit the protocol (${issues.join('; ')})`);
  }
}
