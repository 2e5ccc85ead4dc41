/**
 * A small HTTP API: a component (the note store), a hook (timing) and validated input.
 *
 *   npm start                      # builds, then serves on http://127.0.0.1:8000
 *   curl 'http://127.0.0.1:8000/hello?name=Ada'
 *   curl -X POST http://127.0.0.1:8000/notes -H 'content-type: application/json' -d '{"text":"hi"}'
 *   curl http://127.0.0.1:8000/notes/1
 */
import {
  App,
  apiDescriptionRoutes,
  Body,
  ComponentToken,
  component,
  HTTPException,
  inject,
  PathParam,
  QueryParam,
  Route,
  status,
  Timing,
} from '../../index';

export interface Note {
  id: number;
  text: string;
  tags: string[];
}

/** Notes kept in memory for the life of the app. */
export class NoteStore {
  private readonly notes = new Map<number, Note>();
  private next = 1;

  add(text: string, tags: string[]): Note {
    const note = { id: this.next++, text, tags };
    this.notes.set(note.id, note);
    return note;
  }

  get(id: number): Note | undefined {
    return this.notes.get(id);
  }
}

/** The greeting, configurable through the environment. */
export const Greeting = new ComponentToken<string>('Greeting');

const hello = inject(
  [QueryParam('name', { type: 'string', minLength: 1, maxLength: 40, default: 'world' }), Greeting],
  (name, greeting) => ({ message: `${greeting}, ${name}!` }),
);

const noteSchema = {
  type: 'object',
  properties: { text: { type: 'string', minLength: 1, maxLength: 500 }, tags: { type: 'array', items: { type: 'string' }, default: [] } },
  required: ['text'],
  additionalProperties: false,
} as const;

/** What a note looks like in answers: the routes declare it, so /openapi.json shows it. */
const noteOut = {
  type: 'object',
  properties: { id: { type: 'integer' }, text: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } },
  required: ['id', 'text', 'tags'],
  additionalProperties: false,
} as const;

const notFound = { type: 'object', properties: { detail: { type: 'string' } }, required: ['detail'] } as const;

const addNote = inject([Body(noteSchema), NoteStore], (body, store) => store.add(body.text, body.tags ?? []));

const getNote = inject([PathParam('id', { type: 'integer', minimum: 1 }), NoteStore], (id, store) => {
  const note = store.get(id);
  if (!note) throw new HTTPException(status.HTTP_404_NOT_FOUND, `No note ${id}`);
  return note;
});

/**
 * The routes, exported so that a client can be typed by them:
 * `createHttpClient<typeof routes>(url)` (see docs/client.md).
 */
export const routes = [
  new Route('/hello', 'GET', hello, {
    summary: 'A greeting',
    responses: { 200: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'], additionalProperties: false } },
  }),
  new Route('/notes', 'POST', addNote, { name: 'addNote', summary: 'Keeps a note', tags: ['notes'], responses: { 200: noteOut } }),
  new Route('/notes/{id:int}', 'GET', getNote, {
    name: 'getNote',
    summary: 'One note by id',
    tags: ['notes'],
    responses: { 200: noteOut, 404: notFound },
  }),
] as const;

export function createApp(): App {
  return new App({
    routes: [...routes, ...apiDescriptionRoutes({ info: { title: 'Starwire hello', version: '1.0.0' } })],
    components: [
      component(NoteStore, [], () => new NoteStore(), { scope: 'app' }),
      component(Greeting, [], () => process.env.GREETING ?? 'Hello', { scope: 'app' }),
    ],
    hooks: [new Timing()],
  });
}

if (require.main === module) {
  const port = Number(process.env.PORT ?? 8000);
  createApp()
    .listen(port, process.env.HOST ?? '127.0.0.1')
    .then(() => {
      console.log(`hello sample on http://${process.env.HOST ?? '127.0.0.1'}:${port}`);
    });
}
