// The app ↔ backend API: every function, action, request and response. Types only: the mini-program
// imports these with `import type`, so nothing here is needed at run time.

export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'LOGIN_FAILED'
  | 'INVITE_INVALID'
  | 'CARD_NOT_RESUMABLE'
  | 'PLATFORM_UNAVAILABLE'
  | 'PLATFORM_BUSY'
  | 'PLATFORM_AUTH'
  | 'PLATFORM_FORBIDDEN'
  | 'PLATFORM_REJECTED'
  | 'INTERNAL';

/** Every function answers this: data, or a stable code with a Chinese sentence for the user. */
export type Envelope<T> =
  { ok: true; data: T } | { ok: false; error: { code: ErrorCode; message: string; details?: Record<string, unknown> } };

export type Role = 'manager' | 'driver' | 'staff';

export interface Member {
  openid: string;
  role: Role;
  name: string;
  /** Vehicles a driver drives (empty for other roles). */
  vehicleIds: string[];
  joinedAt: string;
}

export interface InviteRedeemed {
  member: Member;
}

/** Actions of each function: request → response. */
export interface Api {
  login: {
    login: { req: { code: string }; res: { member: Member | null } };
    redeemInvite: { req: { code: string }; res: InviteRedeemed };
    me: { req: Record<string, never>; res: { member: Member | null } };
  };
}

export type FunctionName = keyof Api;
export type ActionName<F extends FunctionName> = keyof Api[F] & string;
export type Req<F extends FunctionName, A extends ActionName<F>> = Api[F][A] extends { req: infer R } ? R : never;
export type Res<F extends FunctionName, A extends ActionName<F>> = Api[F][A] extends { res: infer R } ? R : never;
