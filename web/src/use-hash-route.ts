import { useEffect, useState } from 'react';

/** The page named by the address's hash (`#/catalog` is `catalog`). */
export function useHashRoute(): string {
  const read = () => window.location.hash.replace(/^#\/?/, '').split('?')[0] ?? '';
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const changed = () => setRoute(read());
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}

/** Goes to a page. */
export function navigate(route: string): void {
  window.location.hash = `#/${route}`;
}
