/**
 * The authenticated user, as auth hooks such as `TokenAuth` provide it. Handlers inject it
 * like any component; a request without one is refused with 401 (3000 on an open WebSocket).
 *
 * @example
 * const me = inject([User], (user) => ({ id: user.id, name: user.name }));
 */
export class User {
  constructor(
    readonly id: string,
    readonly name: string = id,
    /** Whatever the token carried: roles, tenant, expiry. */
    readonly claims: Readonly<Record<string, unknown>> = {},
  ) {}
}
