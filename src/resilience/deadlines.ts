import { ApiCallError } from '../spec/index.js';

/** How long a stream may take to start, and to pause between chunks. */
export interface StreamDeadlines {
  /** Milliseconds until the first chunk. */
  firstTokenMs: number;
  /** Milliseconds allowed between two chunks. */
  stallMs: number;
}

/**
 * Wraps a chunk iterator with a first-chunk deadline and a stall deadline: one timer,
 * re-armed per chunk. When it fires it aborts the upstream call (through `abort`) and
 * the iterator throws a retryable `upstream_timeout`.
 */
export function withDeadlines<T>(
  iterator: AsyncIterator<T>,
  deadlines: StreamDeadlines,
  context: { providerId: string; model: string; abort: () => void },
): AsyncIterator<T> {
  let fired: string | undefined;
  let started = false;
  const arm = (ms: number, what: string) => {
    const timer = setTimeout(() => {
      fired = what;
      context.abort();
    }, ms);
    timer.unref();
    return timer;
  };
  let timer = arm(deadlines.firstTokenMs, `no first token within ${deadlines.firstTokenMs} ms`);

  const timeoutError = (cause: unknown) =>
    new ApiCallError({
      message: `${context.model}: ${fired}`,
      providerId: context.providerId,
      code: 'upstream_timeout',
      isRetryable: true,
      cause,
    });

  return {
    async next() {
      let result: IteratorResult<T>;
      try {
        result = await iterator.next();
      } catch (error) {
        clearTimeout(timer);
        throw fired ? timeoutError(error) : error;
      }
      if (fired) throw timeoutError(undefined);
      if (result.done) {
        clearTimeout(timer);
      } else if (started) {
        timer.refresh();
      } else {
        started = true;
        clearTimeout(timer);
        timer = arm(deadlines.stallMs, `the stream stalled for ${deadlines.stallMs} ms`);
      }
      return result;
    },
    async return(value?: unknown) {
      clearTimeout(timer);
      return (await iterator.return?.(value)) ?? { done: true, value: undefined as T };
    },
  };
}
