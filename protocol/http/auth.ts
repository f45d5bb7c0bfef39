// Login, logout and "who am I".
import { z } from 'zod';
import { okResponse, ref, role, route } from '../common.js';

export const me = z.union([
  z.object({
    kind: z.literal('user'),
    id: z.string(),
    username: z.string(),
    displayName: z.string(),
    role,
    site: ref.nullable(),
  }),
  z.object({
    kind: z.literal('guest'),
    guestId: z.string(),
    sessionId: z.string(),
    caseId: z.string().nullable(),
    displayName: z.string(),
  }),
]);
export type Me = z.infer<typeof me>;

export const loginBody = z
  .object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) })
  .strict();
export type LoginBody = z.infer<typeof loginBody>;

export const loginResponse = z.object({ user: me });
export type LoginResponse = z.infer<typeof loginResponse>;

export const login = route({ method: 'post', path: '/api/auth/login', body: loginBody, response: loginResponse });
export const logout = route({ method: 'post', path: '/api/auth/logout', response: okResponse });
export const getMe = route({ method: 'get', path: '/api/me', response: me });
