import { createContext, useContext } from 'react';
import type { Api } from './client.js';
import type { Me } from './types.js';

/** The signed-in token's API client and who it belongs to. */
export interface Session {
  api: Api;
  me: Me;
  /** True for the admin token: the pages for the whole gateway show. */
  isAdmin: boolean;
  signOut(): void;
}

export const SessionContext = createContext<Session | null>(null);

/** The current session; pages render only inside a signed-in shell. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}
