import { operatorOwner } from '../secrets/index.js';
import type { UserLimitOverrides } from '../storage/index.js';

export { operatorOwner };

/**
 * Who is calling. `owner` is whose keys the call may use: a user's own id, or
 * the operator for the admin token, configured client keys and the open loopback data plane.
 */
export type Caller =
  | { kind: 'admin'; owner: string; name: string }
  | {
      kind: 'user';
      owner: string;
      name: string;
      /** The user's own rate limits and budgets over the configured defaults. */
      limits?: UserLimitOverrides;
    }
  | { kind: 'client'; owner: typeof operatorOwner }
  | { kind: 'anonymous'; owner: typeof operatorOwner };

/** The caller of an open (loopback, no keys) data plane. */
export const anonymousCaller: Caller = { kind: 'anonymous', owner: operatorOwner };
