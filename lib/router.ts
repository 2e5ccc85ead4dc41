import { converters, type Converter } from './converters';
import { ConfigurationError } from './exceptions';

/** One parsed piece of a path template. */
type Segment =
  | { readonly kind: 'static'; readonly text: string }
  | { readonly kind: 'param'; readonly name: string; readonly converter: Converter }
  | { readonly kind: 'rest'; readonly name: string };

/** Splits `/users/{id:int}/files/{rest:path}` into segments, rejecting malformed templates. */
export function parseTemplate(template: string): { segments: Segment[]; params: Record<string, string> } {
  if (!template.startsWith('/')) throw new ConfigurationError(`Route path ${JSON.stringify(template)} must start with "/"`);
  const parts = template.split('/').slice(1);
  const segments: Segment[] = [];
  const params: Record<string, string> = {};
  parts.forEach((part, index) => {
    const match = /^\{([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+))?\}$/.exec(part);
    if (!match) {
      if (part.includes('{') || part.includes('}')) {
        throw new ConfigurationError(`Route path ${template}: segment "${part}" must be a whole {name} or {name:converter}`);
      }
      segments.push({ kind: 'static', text: part });
      return;
    }
    const [, name, type = 'str'] = match;
    if (name in params) throw new ConfigurationError(`Route path ${template}: parameter "${name}" appears twice`);
    params[name] = type;
    if (type === 'path') {
      if (index !== parts.length - 1) throw new ConfigurationError(`Route path ${template}: {${name}:path} must be the last segment`);
      segments.push({ kind: 'rest', name });
      return;
    }
    const converter = converters[type];
    if (!converter) {
      throw new ConfigurationError(`Route path ${template}: unknown converter "${type}" (known: ${Object.keys(converters).join(', ')})`);
    }
    segments.push({ kind: 'param', name, converter });
  });
  return { segments, params };
}

class Node<T> {
  readonly statics = new Map<string, Node<T>>();
  readonly params: { name: string; converter: Converter; node: Node<T> }[] = [];
  rest: { name: string; node: Node<T> } | undefined = undefined;
  readonly methods = new Map<string, T>();
}

/** What a lookup found: the value and its parameters, or the methods the path does allow. */
export type Match<T> =
  | { readonly found: true; readonly value: T; readonly params: Record<string, string | number> }
  | { readonly found: false; readonly allowed: readonly string[] };

/**
 * A segment trie: lookup walks one node per path segment, so its cost follows the path's
 * depth, not the number of routes. Static segments win over parameters, parameters over
 * `{rest:path}`; parameters are tried in the order the routes were declared.
 *
 * @example
 * const router = new Router<string>();
 * router.add('GET', '/users/{id:int}', 'user');
 * router.lookup('GET', '/users/7'); // { found: true, value: 'user', params: { id: 7 } }
 */
export class Router<T> {
  private readonly root = new Node<T>();

  add(method: string, template: string, value: T): void {
    let node = this.root;
    for (const segment of parseTemplate(template).segments) {
      if (segment.kind === 'static') {
        let next = node.statics.get(segment.text);
        if (!next) node.statics.set(segment.text, (next = new Node()));
        node = next;
      } else if (segment.kind === 'param') {
        let edge = node.params.find((p) => p.converter === segment.converter);
        if (edge && edge.name !== segment.name) {
          throw new ConfigurationError(`Route path ${template}: {${segment.name}} clashes with {${edge.name}} declared at the same position by another route`);
        }
        if (!edge) node.params.push((edge = { name: segment.name, converter: segment.converter, node: new Node() }));
        node = edge.node;
      } else {
        node.rest ??= { name: segment.name, node: new Node() };
        node = node.rest.node;
      }
    }
    if (node.methods.has(method)) throw new ConfigurationError(`Route ${method} ${template} is declared twice`);
    node.methods.set(method, value);
  }

  /** Finds the value for `method` at the decoded `path`; `allowed` is empty when nothing matches the path. */
  lookup(method: string, path: string): Match<T> {
    const params: Record<string, string | number> = {};
    const node = this.walk(this.root, path, 1, params, method);
    if (node === undefined) return { found: false, allowed: [] };
    const value = node.methods.get(method);
    if (value !== undefined) return { found: true, value, params };
    return { found: false, allowed: [...node.methods.keys()] };
  }

  /** Depth-first with backtracking; prefers a node that has `method`, else any node with a route. */
  private walk(node: Node<T>, path: string, start: number, params: Record<string, string | number>, method: string): Node<T> | undefined {
    if (start > path.length) return node.methods.size > 0 ? node : undefined;
    let end = path.indexOf('/', start);
    if (end === -1) end = path.length;
    const segment = path.slice(start, end);
    let fallback: Node<T> | undefined;

    const child = node.statics.get(segment);
    if (child) {
      const found = this.walk(child, path, end + 1, params, method);
      if (found?.methods.has(method)) return found;
      fallback = found;
    }
    for (const edge of node.params) {
      const value = edge.converter.convert(segment);
      if (value === undefined) continue;
      const found = this.walk(edge.node, path, end + 1, params, method);
      if (found) {
        if (found.methods.has(method)) {
          params[edge.name] = value;
          return found;
        }
        fallback ??= found;
      }
    }
    if (node.rest && node.rest.node.methods.size > 0) {
      const found = node.rest.node;
      if (found.methods.has(method) || !fallback) {
        params[node.rest.name] = path.slice(start);
        return found;
      }
    }
    return fallback;
  }
}
