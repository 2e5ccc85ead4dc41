/** A network endpoint as the `Scope` reports it for the client and the server. */
export interface Address {
  readonly host: string;
  readonly port: number;
}

/** The parts of an incoming HTTP request that Starwire reads, whether from a socket or the TestClient. */
export interface IncomingSource {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly client: Address | null;
  readonly server: Address | null;
  /** The body, read at most once and only when a handler asks for it. */
  readonly body: AsyncIterable<Buffer | string>;
  /**
   * Calls `onClose` once the client's connection closes (an HTTP request aborted); returns what
   * stops watching. Sources without a connection of their own (the TestClient) have none.
   */
  watchClose?(onClose: () => void): () => void;
  /**
   * One header, by its lower-case name, without building `headers` (Node builds them lazily);
   * repeated, its values joined with `, ` as `headers` would. Sources without it are read through `headers`.
   */
  header?(name: string): string | undefined;
  /** Lets go of what an open WebSocket no longer needs (the handshake request); what the scope reports stays. */
  release?(): void;
}
