import type { ProviderConfig } from '../config/config-schema.js';
import type { ApiCallError } from '../spec/index.js';
import { type ApiKeyStatus, databaseUnavailableReason } from '../storage/index.js';
import { type KeyVault, operatorOwner } from './key-vault.js';
import { judgeKeyFailure } from './validate-key.js';

/** A vault key chosen for one upstream call. */
export interface SelectedKey {
  /** Vault key id. */
  id: string;
  /** The plaintext, sent upstream and nowhere else. */
  secret: string;
}

/** What happened when a live call's key was refused. */
export interface KeyFailure {
  keyId: string;
  status: ApiKeyStatus;
  message: string;
}

/** Statuses whose keys are still worth sending: a rate limit or an outage says nothing against the key. */
const usable = new Set<ApiKeyStatus>(['valid', 'unchecked', 'rate_limited', 'unreachable']);
const cacheMs = 5_000;

/**
 * Chooses which vault key pays for a call — the caller's own key for the provider,
 * else the operator's shared one, else none (the provider's configured key) — and
 * marks keys that live traffic shows to be invalid or out of credit.
 */
export function createKeySelection(options: {
  vault: KeyVault;
  providers: readonly ProviderConfig[];
  now?: () => number;
}) {
  const now = options.now ?? Date.now;
  const providers = new Map(options.providers.map((provider) => [provider.id, provider]));
  const cache = new Map<string, { key: SelectedKey | undefined; at: number }>();

  async function newestUsable(owner: string, providerId: string): Promise<SelectedKey | undefined> {
    const keys = await options.vault.list({ owner, providerId });
    const key = keys.filter((candidate) => usable.has(candidate.status)).at(-1);
    return key && { id: key.id, secret: await options.vault.open(key.id) };
  }

  return {
    /** The key for a call by `owner` to `providerId`, or undefined to use the provider's own. */
    async keyFor(owner: string, providerId: string): Promise<SelectedKey | undefined> {
      const cacheKey = `${owner}\u0000${providerId}`;
      const cached = cache.get(cacheKey);
      if (cached && now() - cached.at < cacheMs) return cached.key;
      let key: SelectedKey | undefined;
      try {
        key =
          (owner === operatorOwner ? undefined : await newestUsable(owner, providerId)) ??
          (await newestUsable(operatorOwner, providerId));
      } catch (error) {
        // The database locked or down for a while: the last choice still holds, so chat
        // keeps answering; it is asked again after another `cacheMs`, not on every call.
        if (!cached || databaseUnavailableReason(error) === undefined) throw error;
        cache.set(cacheKey, { key: cached.key, at: now() });
        return cached.key;
      }
      cache.set(cacheKey, { key, at: now() });
      return key;
    },

    /**
     * Judges a failed call made with a vault key. A refused key (401/403) or one out
     * of credit (402) is marked so routing stops using it; returns what was marked.
     */
    async reportFailure(
      key: SelectedKey,
      providerId: string,
      error: ApiCallError,
    ): Promise<KeyFailure | undefined> {
      const provider = providers.get(providerId);
      if (!provider || provider.type === 'embedded') return undefined;
      const judged = judgeKeyFailure(
        {
          providerType: provider.type,
          providerId,
          secret: key.secret,
          ...(provider.baseUrl ? { baseUrl: provider.baseUrl } : {}),
        },
        error,
      );
      if (judged.status !== 'invalid' && judged.status !== 'out_of_credit') return undefined;
      await options.vault.setStatus(key.id, judged.status, judged.message);
      cache.clear();
      return { keyId: key.id, status: judged.status, message: judged.message };
    },

    /** Records that a key worked (the vault writes at most once a minute per key). */
    reportSuccess(key: SelectedKey): void {
      options.vault.touch(key.id).catch(() => {});
    },

    /** Forgets cached choices after keys were added, removed or re-checked. */
    invalidate(): void {
      cache.clear();
    },
  };
}

/** Key selection of a gateway. */
export type KeySelection = ReturnType<typeof createKeySelection>;
