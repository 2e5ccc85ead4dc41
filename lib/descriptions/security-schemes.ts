import type { ApiSecurityScheme, HookDescription } from '../inject/api-description';

/** A scheme's name in `components.securitySchemes`: what it is, so equal schemes share one. */
function schemeName(scheme: ApiSecurityScheme): string {
  if (scheme.type === 'http') return `${scheme.scheme.toLowerCase()}Auth`;
  return `apiKey_${scheme.in}_${scheme.name}`.replace(/[^\w.-]+/g, '_');
}

/**
 * The security schemes the hooks of an app declare, each named once, and the requirements of
 * one route: any one credential of each hook (several hooks: all of them), or none when every
 * hook lets a request without credentials pass.
 *
 * @example
 * const schemes = new SecuritySchemes();
 * schemes.requirements(route.hooks); // [['bearerAuth'], ['apiKey_query_token']]
 * schemes.all();                     // { bearerAuth: { type: 'http', scheme: 'Bearer' }, ... }
 */
export class SecuritySchemes {
  private readonly schemes = new Map<string, ApiSecurityScheme>();

  /** The alternatives a route's hooks accept: each a list of scheme names to present together; `[]` for none. */
  requirements(hooks: readonly HookDescription[]): string[][] {
    let alternatives: string[][] = [[]];
    let optional = true;
    let any = false;
    for (const hook of hooks) {
      if (!hook.security?.length) continue;
      any = true;
      optional &&= hook.securityOptional === true;
      const names = hook.security.map((scheme) => this.add(scheme));
      alternatives = alternatives.flatMap((together) => names.map((name) => [...together, name]));
    }
    if (!any) return [];
    return optional ? [...alternatives, []] : alternatives;
  }

  /** Every scheme named so far. */
  all(): Record<string, ApiSecurityScheme> {
    return Object.fromEntries(this.schemes);
  }

  private add(scheme: ApiSecurityScheme): string {
    const name = schemeName(scheme);
    if (!this.schemes.has(name)) this.schemes.set(name, scheme);
    return name;
  }
}
