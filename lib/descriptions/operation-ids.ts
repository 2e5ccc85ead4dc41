/** Words of a path, for names: `/notes/{id:int}` → `Notes`, `ById`. */
function pathWords(template: string): string {
  const words = template
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      const param = /^\{([A-Za-z_][A-Za-z0-9_]*)(?::[a-z]+)?\}$/.exec(segment);
      return param
        ? `By${capitalize(param[1])}`
        : segment
            .split(/[^A-Za-z0-9]+/)
            .filter(Boolean)
            .map(capitalize)
            .join('');
    })
    .join('');
  return words || 'Root';
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * Hands out unique ids (OpenAPI `operationId`s, AsyncAPI channel ids): a route's `name` where it
 * has one, else one made of the method and the path (`GET /notes/{id:int}` → `getNotesById`;
 * without a method, `/ws/chat/{room}` → `wsChatByRoom`).
 * An id already given gets `2`, `3`, ... appended, so two routes never share one.
 *
 * @example
 * const ids = new OperationIds();
 * ids.next(undefined, 'get', '/notes/{id:int}'); // 'getNotesById'
 * ids.next(undefined, 'get', '/notes/{id:int}'); // 'getNotesById2'
 */
export class OperationIds {
  private readonly taken = new Set<string>();

  next(name: string | undefined, verb: string, template: string): string {
    const words = pathWords(template);
    const derived = verb ? `${verb.toLowerCase()}${words}` : words.charAt(0).toLowerCase() + words.slice(1);
    const base = (name ?? derived).replace(/[^\w.-]+/g, '_');
    let id = base;
    for (let count = 2; this.taken.has(id); count++) id = `${base}${count}`;
    this.taken.add(id);
    return id;
  }
}
