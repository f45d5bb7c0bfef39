// A minimal HTTPS client for tests: trusts the platform root (no rejectUnauthorized:false), keeps
// the session cookie like a browser would, and can send raw bytes (bad JSON, huge bodies).
import { request } from 'node:https';
import { checkResponse } from './protocol-check.js';

export interface TestResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  readonly text: string;
  /** The parsed JSON body (throws if it is not JSON, or does not fit the route's protocol schema). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- checked against the route's protocol schema at run time
  json<T = any>(): T;
}

export interface RequestOptions {
  readonly json?: unknown;
  readonly body?: string | Buffer;
  readonly headers?: Record<string, string>;
}

export class HttpClient {
  cookie: string | undefined;
  /** The source address of the connection (loopback takes any 127/8 address), to act as several clients. */
  localAddress: string | undefined;

  constructor(
    readonly baseUrl: string,
    readonly ca: string,
  ) {}

  get(path: string, options?: RequestOptions): Promise<TestResponse> {
    return this.request('GET', path, options);
  }

  post(path: string, json?: unknown, options: RequestOptions = {}): Promise<TestResponse> {
    return this.request('POST', path, json === undefined ? options : { ...options, json });
  }

  request(method: string, path: string, options: RequestOptions = {}): Promise<TestResponse> {
    const body = options.json !== undefined ? Buffer.from(JSON.stringify(options.json)) : options.body;
    const headers: Record<string, string> = {
      ...(options.json !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(this.cookie ? { cookie: this.cookie } : {}),
      ...options.headers,
    };
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    return new Promise((resolve, reject) => {
      const req = request(
        new URL(path, this.baseUrl),
        { method, headers, ca: this.ca, agent: false, localAddress: this.localAddress },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const setCookie = res.headers['set-cookie']?.[0];
            if (setCookie) {
              const pair = setCookie.split(';')[0]!;
              this.cookie = /=$/.test(pair) ? undefined : pair;
            }
            const buf = Buffer.concat(chunks);
            const text = buf.toString('utf8');
            const status = res.statusCode ?? 0;
            const json = () => {
              const value: unknown = JSON.parse(text);
              checkResponse(method, path, status, value);
              // eslint-disable-next-line @typescript-eslint/no-explicit-any -- checked by checkResponse just above
              return value as any;
            };
            resolve({ status, headers: res.headers, body: buf, text, json });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}
