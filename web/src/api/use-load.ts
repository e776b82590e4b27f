import { useCallback, useEffect, useRef, useState } from 'react';

/** A value loaded from the API, with its error and a way to load it again. */
export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload(): void;
}

/**
 * Loads `load` when `key` changes (and on `reload()`); an answer that arrives after a
 * newer request started is dropped. With `everyMs`, it loads again on that interval.
 */
export function useLoad<T>(
  load: (signal: AbortSignal) => Promise<T>,
  key: string,
  everyMs?: number,
): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(true);
  const [round, setRound] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  // `key` and `round` say when to load again; `load` itself is read through a ref.
  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    loadRef.current(controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (failure: unknown) => {
        if (controller.signal.aborted) return;
        setError(failure instanceof Error ? failure : new Error(String(failure)));
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [key, round]);

  useEffect(() => {
    if (!everyMs) return;
    const timer = setInterval(() => setRound((value) => value + 1), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);

  const reload = useCallback(() => setRound((value) => value + 1), []);
  return { data, error, loading, reload };
}
