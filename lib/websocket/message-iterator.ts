/** The end of a `for await` over a socket. */
export const ITERATION_DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/** A socket that yields its messages as iterator results. */
export interface MessageSource {
  nextResult(): Promise<IteratorResult<string | Buffer>>;
}

/** `for await` over a socket: methods on the prototype, so an idle loop holds one small object. */
export class MessageIterator implements AsyncIterator<string | Buffer> {
  constructor(private readonly source: MessageSource) {}

  next(): Promise<IteratorResult<string | Buffer>> {
    return this.source.nextResult();
  }

  return(): Promise<IteratorResult<string | Buffer>> {
    return Promise.resolve(ITERATION_DONE);
  }
}
