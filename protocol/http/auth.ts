// Login, logout, "who am I", and one's own account: password change, signing PIN enrolment and change.
import { z } from 'zod';
import { accountPassword, newSigningPin, okResponse, ref, role, route, signingPin } from '../common.js';

export const me = z.union([
  z.object({
    kind: z.literal('user'),
    id: z.string(),
    username: z.string(),
    displayName: z.string(),
    role,
    site: ref.nullable(),
    /** Set when the password was chosen by an admin: nothing else works until the owner changes it. */
    mustChangePassword: z.boolean().optional(),
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

export const login = route({
  method: 'post',
  path: '/api/auth/login',
  auth: 'none',
  body: loginBody,
  response: loginResponse,
});
export const logout = route({ method: 'post', path: '/api/auth/logout', auth: 'none', response: okResponse });
export const getMe = route({ method: 'get', path: '/api/me', response: me });

export const changePasswordBody = z
  .object({ currentPassword: z.string().min(1).max(256), newPassword: accountPassword })
  .strict();
export type ChangePasswordBody = z.infer<typeof changePasswordBody>;
export const changePassword = route({
  method: 'post',
  path: '/api/me/password',
  body: changePasswordBody,
  response: loginResponse,
});

export const enrolPinBody = z.object({ code: z.string().trim().min(1).max(64), pin: newSigningPin }).strict();
export type EnrolPinBody = z.infer<typeof enrolPinBody>;
/** The signing certificate the enrolment issued. */
export const enrolledCertificate = z.object({ serial: z.string(), notAfter: z.string() });
export const enrolPin = route({
  method: 'post',
  path: '/api/me/pin/enrolment',
  body: enrolPinBody,
  response: enrolledCertificate,
  status: 201,
});

export const changePinBody = z.object({ currentPin: signingPin, newPin: newSigningPin }).strict();
export type ChangePinBody = z.infer<typeof changePinBody>;
export const changePin = route({ method: 'post', path: '/api/me/pin', body: changePinBody, response: okResponse });
