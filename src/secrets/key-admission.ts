import type { ProviderConfig } from '../config/config-schema.js';
import { GatewayError, InvalidRequestError } from '../spec/index.js';
import type { KeySelection } from './key-selection.js';
import type { ApiKeyInfo, KeyVault } from './key-vault.js';
import { type KeyValidation, validateKey } from './validate-key.js';

/** A key as added or re-checked, with what its provider said. */
export interface CheckedKey {
  key: ApiKeyInfo;
  validation: KeyValidation | null;
}

/** Statuses that stop a key from being saved: the provider answered and said no. */
const refused = new Set(['invalid', 'out_of_credit']);

/**
 * Adding and re-checking keys, shared by the REST API and the CLI: a key is checked
 * against its provider before it is saved, and saved only if the provider accepted it
 * (or could not be asked and the caller said to save it unchecked).
 */
export function createKeyAdmission(options: {
  vault: KeyVault;
  keys: KeySelection;
  providers: readonly ProviderConfig[];
}) {
  function providerFor(providerId: string): ProviderConfig {
    const provider = options.providers.find((candidate) => candidate.id === providerId);
    if (!provider) {
      const known = options.providers.map((candidate) => `"${candidate.id}"`).join(', ') || 'none';
      throw new InvalidRequestError(
        `No provider "${providerId}" is configured (configured: ${known}); keys are added for a provider id from config.yaml.`,
        'providerId',
      );
    }
    if (provider.type === 'ollama' || provider.type === 'embedded') {
      throw new InvalidRequestError(
        `Provider "${providerId}" (${provider.type}) runs locally and takes no API key.`,
        'providerId',
      );
    }
    return provider;
  }

  function check(
    provider: ProviderConfig,
    secret: string,
    signal?: AbortSignal,
  ): Promise<KeyValidation> {
    return validateKey({
      providerType: provider.type,
      providerId: provider.id,
      secret,
      ...(provider.baseUrl ? { baseUrl: provider.baseUrl } : {}),
      ...(provider.headers ? { headers: provider.headers } : {}),
      ...(signal ? { signal } : {}),
    });
  }

  return {
    /** Key metadata (never secrets): one owner's, or everyone's. */
    list: (owner?: string) => options.vault.list(owner === undefined ? {} : { owner }),

    /** Checks a new key with its provider and saves it; refuses keys the provider refused. */
    async add(input: {
      owner: string;
      providerId: string;
      secret: string;
      label?: string;
      skipValidation?: boolean;
      signal?: AbortSignal;
    }): Promise<CheckedKey> {
      const provider = providerFor(input.providerId);
      const validation = input.skipValidation
        ? null
        : await check(provider, input.secret.trim(), input.signal);
      if (validation && validation.status !== 'valid') {
        const unchecked = !refused.has(validation.status);
        throw new GatewayError(
          `The key was not saved: ${validation.message}.${unchecked ? ' To save it unchecked, add it again with skipValidation (CLI: --skip-validation).' : ''}`,
          { status: 422, type: 'invalid_request_error', code: `key_${validation.status}` },
        );
      }
      const key = await options.vault.add({
        owner: input.owner,
        providerId: provider.id,
        secret: input.secret,
        ...(input.label ? { label: input.label } : {}),
        ...(validation ? { status: validation.status, statusMessage: validation.message } : {}),
      });
      options.keys.invalidate();
      return { key, validation };
    },

    /** Asks the provider about a stored key again and records the answer. */
    async revalidate(id: string, owner?: string): Promise<CheckedKey> {
      const info = await options.vault.get(id, owner);
      const provider = providerFor(info.providerId);
      const validation = await check(provider, await options.vault.open(id, owner));
      const key = await options.vault.setStatus(id, validation.status, validation.message);
      options.keys.invalidate();
      return { key, validation };
    },

    /** Removes a key (only the owner's own, when `owner` is given). */
    async remove(id: string, owner?: string): Promise<ApiKeyInfo> {
      const key = await options.vault.remove(id, owner);
      options.keys.invalidate();
      return key;
    },
  };
}

/** Key admission of a gateway. */
export type KeyAdmission = ReturnType<typeof createKeyAdmission>;
