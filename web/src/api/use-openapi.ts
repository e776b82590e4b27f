import { useEffect, useState } from 'react';

let document: Promise<string[]> | undefined;

/** Paths of this server's OpenAPI document (read once per page load). */
function apiPaths(): Promise<string[]> {
  document ??= fetch('/openapi.json')
    .then((response) => (response.ok ? response.json() : { paths: {} }))
    .then((body: { paths?: Record<string, unknown> }) => Object.keys(body.paths ?? {}))
    .catch(() => []);
  return document;
}

/**
 * Which of these route prefixes the server offers: `undefined` while reading the document,
 * then the paths that start with any of them.
 */
export function useApiPaths(prefixes: string[]): string[] | undefined {
  const [paths, setPaths] = useState<string[]>();
  const key = prefixes.join(',');
  useEffect(() => {
    let live = true;
    apiPaths().then((all) => {
      if (live)
        setPaths(all.filter((path) => key.split(',').some((prefix) => path.startsWith(prefix))));
    });
    return () => {
      live = false;
    };
  }, [key]);
  return paths;
}
