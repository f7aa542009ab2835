import type { HttpResponse } from "../http/request.js";

/**
 * A streamed answer, read once as an async iterator. Breaking out of the loop (or `close()`) destroys the body, so
 * the upstream request ends at once instead of streaming into the void.
 */
export class EventStream<T> implements AsyncIterable<T> {
  readonly status: number;
  readonly headers: HttpResponse["headers"];
  readonly #response: HttpResponse;
  readonly #iterator: AsyncGenerator<T>;
  #used = false;

  constructor(response: HttpResponse, events: (response: HttpResponse) => AsyncGenerator<T>) {
    this.#response = response;
    this.status = response.statusCode;
    this.headers = response.headers;
    const source = events(response);
    this.#iterator = (async function* guard() {
      let finished = false;
      try {
        yield* source;
        finished = true;
      } finally {
        if (!finished && !response.body.destroyed) response.body.destroy();
      }
    })();
  }

  [Symbol.asyncIterator](): AsyncGenerator<T> {
    if (this.#used) throw new Error("This stream has already been read; a stream can be iterated only once.");
    this.#used = true;
    return this.#iterator;
  }

  /** Stop reading and release the connection. */
  async close(): Promise<void> {
    this.#used = true;
    await this.#iterator.return(undefined);
    if (!this.#response.body.destroyed) this.#response.body.destroy();
  }
}
