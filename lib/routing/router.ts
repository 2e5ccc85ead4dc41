import { ConfigurationError } from '../errors/exceptions';
import { type Converter, converters } from './converters';
import { decodeSegment } from './path-decoding';

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
    if (Object.hasOwn(params, name)) throw new ConfigurationError(`Route path ${template}: parameter "${name}" appears twice`);
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
const NO_PARAMS: Readonly<Record<string, never>> = Object.freeze({});

export type Match<T> =
  | { readonly found: true; readonly value: T; readonly params: Readonly<Record<string, string | number>> }
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
  private readonly allowed = new Set<string>();
  /** The parameters of the route a lookup is finding, made when it sets the first: a route without any allocates none. */
  private params: Record<string, string | number> | undefined = undefined;

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
          throw new ConfigurationError(
            `Route path ${template}: {${segment.name}} clashes with {${edge.name}} declared at the same position by another route`,
          );
        }
        if (!edge) node.params.push((edge = { name: segment.name, converter: segment.converter, node: new Node() }));
        node = edge.node;
      } else {
        if (node.rest && node.rest.name !== segment.name) {
          throw new ConfigurationError(
            `Route path ${template}: {${segment.name}:path} clashes with {${node.rest.name}:path} declared at the same position by another route`,
          );
        }
        node.rest ??= { name: segment.name, node: new Node() };
        node = node.rest.node;
      }
    }
    if (node.methods.has(method)) throw new ConfigurationError(`Route ${method} ${template} is declared twice`);
    node.methods.set(method, value);
  }

  /**
   * Finds the value for `method` at the raw (percent-encoded) `path`; `allowed` is empty when
   * nothing matches the path. Each segment is decoded after it is split off, so an encoded
   * slash stays inside its parameter; a malformed escape matches nothing.
   */
  lookup(method: string, path: string): Match<T> {
    // Lookups are synchronous, so one set serves them all: a hit allocates none. Only a set that
    // holds something is cleared: clearing gives a set a new table, even an empty one.
    const allowed = this.allowed;
    if (allowed.size !== 0) allowed.clear();
    this.params = undefined;
    const node = this.walk(this.root, path, 1, method, allowed);
    // A route without parameters gives one shared empty object: an open WebSocket keeps its scope's.
    const params = this.params ?? NO_PARAMS;
    this.params = undefined;
    if (node !== undefined) return { found: true, value: node.methods.get(method) as T, params };
    return { found: false, allowed: [...allowed] };
  }

  /**
   * Depth-first with backtracking: returns the first node that has `method`, setting only that
   * route's parameters; every other route the path reaches adds its methods to `allowed`.
   */
  private walk(node: Node<T>, path: string, start: number, method: string, allowed: Set<string>): Node<T> | undefined {
    if (start > path.length) {
      if (node.methods.has(method)) return node;
      for (const other of node.methods.keys()) allowed.add(other);
      return undefined;
    }
    let end = path.indexOf('/', start);
    if (end === -1) end = path.length;
    const segment = decodeSegment(path.slice(start, end));
    if (segment === undefined) return undefined;

    // A node that has only parameters below it (`/users/{id}`) hashes no segment.
    const child = node.statics.size === 0 ? undefined : node.statics.get(segment);
    if (child) {
      const found = this.walk(child, path, end + 1, method, allowed);
      if (found) return found;
    }
    for (const edge of node.params) {
      const value = edge.converter.convert(segment);
      if (value === undefined) continue;
      const found = this.walk(edge.node, path, end + 1, method, allowed);
      if (found) {
        (this.params ??= {})[edge.name] = value;
        return found;
      }
    }
    if (node.rest) {
      const found = node.rest.node;
      if (found.methods.has(method)) {
        const rest = decodeSegment(path.slice(start));
        if (rest === undefined) return undefined;
        (this.params ??= {})[node.rest.name] = rest;
        return found;
      }
      for (const other of found.methods.keys()) allowed.add(other);
    }
    return undefined;
  }
}
