import type { BodyDescription } from '../inject/api-description';

/**
 * One request body from every token that reads it: `Form` and `FormFile` on one handler read
 * one multipart body, so it is both (the media types they share, the schemas together).
 * Undefined when nothing reads the body.
 *
 * @example
 * mergeBodies([form, avatar]); // { kind: 'body', mediaTypes: ['multipart/form-data'], schema: { allOf: [formSchema, avatarSchema] } }
 */
export function mergeBodies(bodies: readonly BodyDescription[]): BodyDescription | undefined {
  if (bodies.length <= 1) return bodies[0];
  const mediaTypes = bodies.reduce<readonly string[]>(
    (shared, body) => shared.filter((type) => body.mediaTypes.includes(type)),
    bodies[0].mediaTypes,
  );
  const schemas = bodies.map((body) => body.schema ?? {});
  return { kind: 'body', mediaTypes, schema: { allOf: schemas } };
}
