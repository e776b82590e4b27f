/** The signed-in token lives in this tab only (sessionStorage), never in a cookie or on disk. */
const storageKey = 'tta-models.token';

export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(storageKey);
  } catch {
    return null;
  }
}

export function storeToken(token: string | null): void {
  try {
    if (token === null) sessionStorage.removeItem(storageKey);
    else sessionStorage.setItem(storageKey, token);
  } catch {
    // Private modes without storage: the token lasts until the page is reloaded.
  }
}
