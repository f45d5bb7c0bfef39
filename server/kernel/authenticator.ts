// How the transports (HTTP and socket.io) learn who is calling, without knowing how logins work:
// the auth feature implements this over its login sessions and the session cookie.
import type { Principal } from './principal.js';

export interface Authenticated {
  readonly principal: Principal;
  /** A stable key of the login session (its token hash), to end live connections on logout. */
  readonly sessionKey: string;
  /** The user's password was set by someone else: until they change it, only the routes that allow it answer. */
  readonly mustChangePassword?: boolean;
}

export type Revocation = { readonly sessionKey: string } | { readonly userId: string };

export interface Authenticator {
  /** The principal behind a request's Cookie header, while its login session is live (a shared store answers later). */
  fromCookie(cookieHeader: string | undefined): Authenticated | undefined | Promise<Authenticated | undefined>;
  /** Told when a login session ends or a user is disabled; returns an unsubscribe function. */
  onRevoke(listener: (which: Revocation) => void): () => void;
}
