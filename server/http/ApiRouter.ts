// Declarative routes: each one names its method, path, policy action, zod schemas for params,
// query and body, and a handler. The router checks the principal first (401/403), then validates
// input (400), then runs the handler and sends its result as JSON. The same declarations produce
// the OpenAPI document. A route that hands out personal data declares it (`personalData`): every
// successful call by staff is audited as `data.read`; any other successful GET by an auditor is
// written to the audit log as `auditor.read`. A body must have the route's type (JSON unless
// declared multipart or raw), else 415.
import express, { type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { authorize, type Action, type PrincipalFor } from '../kernel/policy.js';
import { AppError, RequestValidationError, UnauthenticatedError } from '../kernel/errors.js';
import { actorOf, type Principal } from '../kernel/principal.js';
import type { AuditLog } from '../kernel/audit/AuditLog.js';
import { mustChangePassword, principalOf } from './authenticate.js';
import { assertBodyType } from './body-type.js';
import { zodToJsonSchema, type JsonSchema } from './zod-json-schema.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call a route: anyone, any signed-in principal (staff or guest), or a policy action. */
export type Access = 'public' | 'signed-in' | Action;

/** The principal a handler receives: checked by the router before the handler runs. */
export type PrincipalOf<A extends Access> = A extends Action
  ? PrincipalFor<A>
  : A extends 'signed-in'
    ? Principal
    : Principal | undefined;

export interface RouteInput<A extends Access, P, Q, B> {
  readonly req: Request;
  readonly res: Response;
  readonly principal: PrincipalOf<A>;
  readonly params: P;
  readonly query: Q;
  readonly body: B;
}

export interface RouteSpec<A extends Access, P, Q, B> {
  readonly method: Method;
  /** Express path, e.g. `/api/cases/:id`. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  /** A policy action's role check runs before input validation (the handler checks scope against the resource). */
  readonly access: A;
  /** Answers a user who must still change their password (the change itself, logout, who am I); others refuse them 403. */
  readonly duringPasswordChange?: true;
  readonly params?: z.ZodType<P, z.ZodTypeDef, unknown>;
  readonly query?: z.ZodType<Q, z.ZodTypeDef, unknown>;
  readonly body?: z.ZodType<B, z.ZodTypeDef, unknown>;
  /** A non-JSON request body of this type (e.g. application/timestamp-query), read raw into a Buffer. */
  readonly consumes?: string;
  /** With `consumes`: the most bytes accepted. */
  readonly rawBodyLimitBytes?: number;
  /** A multipart/form-data body (read by the handler): the file part's name and its text fields, for the OpenAPI document. */
  readonly multipart?: { readonly file: string; readonly fields: z.ZodTypeAny };
  /** From the descriptor: `none` marks a route meant for anyone; access must then be `public`. */
  readonly auth?: 'none';
  readonly response?: z.ZodTypeAny;
  /** Content type of a non-JSON response (the handler writes it itself). */
  readonly produces?: string;
  readonly status?: number;
  /** The route returns personal data (names, ID numbers, images, recordings, signed PDFs): staff reads are audited. */
  readonly personalData?: { readonly what: string; readonly object: (params: P) => string };
  /** Returns the JSON body, or undefined after writing the response itself. */
  readonly handler: (input: RouteInput<A, P, Q, B>) => unknown;
}

interface Documented {
  readonly method: Method;
  readonly path: string;
  readonly spec: RouteSpec<Access, unknown, unknown, unknown>;
}

const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export class ApiRouter {
  readonly router = express.Router();
  readonly #documented: Documented[] = [];
  readonly #audit: AuditLog;

  constructor(audit: AuditLog) {
    this.#audit = audit;
  }

  route<A extends Access, P = Record<string, never>, Q = Record<string, never>, B = undefined>(
    spec: RouteSpec<A, P, Q, B>,
  ): void {
    // A public route is public on both sides: the descriptor says so and the server grants it.
    if ((spec.auth === 'none') !== (spec.access === 'public'))
      throw new Error(
        `${spec.method} ${spec.path}: descriptor auth ${spec.auth ?? '(login)'} vs access ${spec.access}`,
      );
    this.#documented.push({
      method: spec.method,
      path: spec.path,
      spec: spec as RouteSpec<Access, unknown, unknown, unknown>,
    });
    const handlers: RequestHandler[] = [];
    const bodyType = spec.consumes ?? (spec.multipart ? 'multipart/form-data' : 'application/json');
    if (spec.consumes) handlers.push(express.raw({ type: spec.consumes, limit: spec.rawBodyLimitBytes }));
    handlers.push(async (req, res) => {
      const principal = checkAccess(principalOf(res), spec.access);
      if (principal && mustChangePassword(res) && !spec.duringPasswordChange) throw new PasswordChangeRequiredError();
      assertBodyType(req, bodyType);
      const params = parse(spec.params, req.params, 'path parameter');
      const query = parse(spec.query, req.query, 'query parameter');
      const body = spec.consumes ? (req.body as B) : parse(spec.body, req.body, 'body');
      const result = await spec.handler({ req, res, principal, params, query, body });
      if (spec.personalData) {
        const { what, object } = spec.personalData;
        await this.#audit.read(principal, {
          object: object(params),
          what,
          via: 'http',
          details: { path: req.path, query: queryString(req) },
        });
      } else if (spec.method === 'get' && principal?.kind === 'user' && principal.role === 'auditor') {
        await this.#audit.append({
          actor: actorOf(principal),
          action: 'auditor.read',
          target: req.path,
          details: { query: queryString(req) },
        });
      }
      if (result !== undefined && !res.headersSent) res.status(spec.status ?? 200).json(result);
    });
    this.router[spec.method](spec.path, ...handlers);
  }

  /** The OpenAPI 3.1 document for every declared route. */
  openapi(info: { title: string; version: string }, sessionCookie: string): JsonSchema {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const { method, path, spec } of this.#documented) {
      const oaPath = path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const parameters = [...objectParameters(spec.params, 'path'), ...objectParameters(spec.query, 'query')];
      const requestBody = requestBodyOf(spec);
      const ok = spec.produces
        ? { description: 'OK', content: { [spec.produces]: { schema: { type: 'string', format: 'binary' } } } }
        : {
            description: 'OK',
            content: { 'application/json': { schema: spec.response ? zodToJsonSchema(spec.response) : {} } },
          };
      (paths[oaPath] ??= {})[method] = {
        summary: spec.summary,
        tags: [spec.tag],
        ...(spec.access === 'public' ? { security: [] } : { 'x-tongban-access': spec.access }),
        ...(parameters.length ? { parameters } : {}),
        ...(requestBody ? { requestBody } : {}),
        responses: {
          [String(spec.status ?? 200)]: ok,
          '4XX': {
            description: 'Client error',
            content: { 'application/json': { schema: zodToJsonSchema(errorSchema) } },
          },
        },
      };
    }
    return {
      openapi: '3.1.0',
      info,
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: sessionCookie } } },
      security: [{ session: [] }],
      paths,
    };
  }
}

export class PasswordChangeRequiredError extends AppError {
  constructor() {
    super('password_change_required', 'choose a new password first (POST /api/me/password)', 403);
  }
}

/** The route's first gate: 401 without a principal where one is needed, 403 when the role may not. */
function checkAccess<A extends Access>(principal: Principal | undefined, access: A): PrincipalOf<A> {
  if (access === 'public') return principal as PrincipalOf<A>;
  if (!principal) throw new UnauthenticatedError();
  if (access !== 'signed-in') authorize(principal, access as Action);
  return principal as PrincipalOf<A>;
}

function parse<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown> | undefined, value: unknown, where: string): T {
  if (!schema) return {} as T;
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  throw new RequestValidationError(where, result.error);
}

function requestBodyOf(spec: RouteSpec<Access, unknown, unknown, unknown>): object | undefined {
  if (spec.body)
    return {
      required: !spec.body.isOptional(),
      content: { 'application/json': { schema: zodToJsonSchema(spec.body) } },
    };
  if (spec.consumes)
    return { required: true, content: { [spec.consumes]: { schema: { type: 'string', format: 'binary' } } } };
  if (!spec.multipart) return undefined;
  const fields = zodToJsonSchema(spec.multipart.fields) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  const schema = {
    type: 'object',
    properties: { ...fields.properties, [spec.multipart.file]: { type: 'string', format: 'binary' } },
    required: [...(fields.required ?? []), spec.multipart.file],
  };
  return { required: true, content: { 'multipart/form-data': { schema } } };
}

function objectParameters(schema: z.ZodTypeAny | undefined, where: 'path' | 'query'): unknown[] {
  if (!schema) return [];
  const json = zodToJsonSchema(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: s,
  }));
}

function queryString(req: Request): string {
  const i = req.originalUrl.indexOf('?');
  return i < 0 ? '' : req.originalUrl.slice(i + 1, i + 501);
}
