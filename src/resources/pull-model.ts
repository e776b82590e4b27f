/**
 * Pulling a model onto this machine, the one implementation behind `tta-models pull` and
 * `POST /api/local-models/pull`: `hf:<user>/<repo>/<file>.gguf` into an embedded
 * provider's folder (resumable, checksum-verified), or `<provider>/<model>` into Ollama.
 * {@link preparePull} checks the request first (a 400 that says what to write), so a
 * caller can refuse bad input before it starts streaming progress; `run` then pulls.
 */
import path from 'node:path';
import type { ProviderConfig } from '../config/config-schema.js';
import { embeddedModelsDir } from '../providers/embedded-llama/embedded-llama-provider.js';
import {
  type PullGgufResult,
  parseHuggingFaceReference,
  pullGguf,
} from '../providers/embedded-llama/hugging-face-pull.js';
import { createProvider } from '../providers/provider-registry.js';
import { InvalidRequestError } from '../spec/errors.js';
import type { PullProgress } from '../spec/local-model.js';
import type { Provider } from '../spec/provider.js';
import { isLocalProvider } from './local-resources.js';

/** What to pull. */
export interface PullRequest {
  /** `hf:<user>/<repo>/<file>.gguf`, or `<ollama provider id>/<model>`. */
  model: string;
  /** The embedded provider whose folder receives a `hf:` file (default: the first one). */
  provider?: string;
  /** Expected sha256 of a `hf:` file, hex (default: the one the hub publishes). */
  sha256?: string;
  /** Branch, tag or commit of a `hf:` repository (default `main`). */
  revision?: string;
}

/** Where pulls go and what pulls them. */
export interface PullContext {
  /** The configured providers. */
  entries: readonly ProviderConfig[];
  /** The default models folder (`$TTA_MODELS_HOME/models`). */
  modelsHome: string;
  /** Running providers to pull through (the server's); without them one is made for the pull and closed after. */
  providers?: ReadonlyMap<string, Provider>;
  /** Opens an `apiKey: vault:<id>` reference of an embedded provider (its hub token). */
  openVaultKey?: (id: string) => Promise<string>;
}

/** What a pull did. */
export interface PulledModel extends Partial<PullGgufResult> {
  /** The model as clients name it, `<provider>/<model>`. */
  model: string;
  /** False for a `hf:` file no configured embedded provider serves yet. */
  served: boolean;
}

/** A checked pull, ready to run. */
export interface PreparedPull {
  /** What is pulled, for logs and messages. */
  readonly reference: string;
  /** Names the download's destination: two pulls with the same key must not run at once. */
  readonly key: string;
  run(options?: {
    onProgress?: (progress: PullProgress) => void;
    signal?: AbortSignal;
  }): Promise<PulledModel>;
}

const forms =
  'Write hf:<user>/<repo>/<file>.gguf for a Hugging Face file, or <provider>/<model> with an Ollama provider from config.yaml (e.g. ollama/llama3.2)';

/** Checks a pull request against the configuration; throws a 400 that says what to send. */
export function preparePull(request: PullRequest, context: PullContext): PreparedPull {
  const reference = request.model.trim();
  if (request.sha256 !== undefined && !/^[0-9a-f]{64}$/i.test(request.sha256)) {
    throw new InvalidRequestError(
      `sha256 must be the file's 64 hexadecimal digits, not "${request.sha256}". Leave it out to check the sha256 Hugging Face publishes.`,
      'sha256',
    );
  }
  return reference.toLowerCase().startsWith('hf:')
    ? prepareHuggingFace(reference, request, context)
    : prepareProviderPull(reference, request, context);
}

function prepareHuggingFace(
  reference: string,
  request: PullRequest,
  context: PullContext,
): PreparedPull {
  const { file } = parseHuggingFaceReference(reference);
  const embedded = context.entries.filter((entry) => entry.type === 'embedded');
  const entry = embedded.find(
    (candidate) => request.provider === undefined || candidate.id === request.provider,
  );
  if (request.provider !== undefined && !entry) {
    throw new InvalidRequestError(
      `There is no embedded provider "${request.provider}" in the configuration; ${
        embedded.length > 0
          ? `name one of ${embedded.map((candidate) => candidate.id).join(', ')}`
          : 'leave provider out to download into the default models folder'
      }.`,
      'provider',
    );
  }
  const modelsDir = embeddedModelsDir(entry, context.modelsHome);
  return {
    reference,
    key: path.join(modelsDir, path.basename(file)),
    async run(options = {}) {
      const token = await hubToken(entry, context);
      const result = await pullGguf({
        reference,
        modelsDir,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(request.revision ? { revision: request.revision } : {}),
        ...(entry?.baseUrl ? { hubUrl: entry.baseUrl } : {}),
        ...(token ? { token } : {}),
        ...(request.sha256 ? { sha256: request.sha256 } : {}),
      });
      return {
        model: `${entry?.id ?? 'local'}/${result.modelId}`,
        ...result,
        served: entry !== undefined,
      };
    },
  };
}

function prepareProviderPull(
  reference: string,
  request: PullRequest,
  context: PullContext,
): PreparedPull {
  const slash = reference.indexOf('/');
  const providerId = reference.slice(0, Math.max(0, slash));
  const modelId = reference.slice(slash + 1).trim();
  if (slash <= 0 || modelId === '') {
    throw new InvalidRequestError(
      `"${reference}" is not a model to pull. ${forms}.`,
      'model',
      'invalid_model_reference',
    );
  }
  const running = context.providers?.get(providerId);
  const entry = context.entries.find((candidate) => candidate.id === providerId);
  const type = running?.type ?? entry?.type;
  if (type === undefined) {
    throw new InvalidRequestError(
      `"${reference}" names no configured provider. ${forms}.`,
      'model',
      'invalid_model_reference',
    );
  }
  if (type === 'embedded') {
    throw new InvalidRequestError(
      `Provider "${providerId}" is embedded: it takes files from Hugging Face. Write hf:<user>/<repo>/<file>.gguf, with provider "${providerId}" to choose its folder.`,
      'model',
      'invalid_model_reference',
    );
  }
  const canPull = running
    ? isLocalProvider(running) && running.local.pull !== undefined
    : type === 'ollama';
  if (!canPull) {
    throw new InvalidRequestError(
      `Provider "${providerId}" (${type}) cannot pull models; Ollama providers and hf: files can.`,
      'model',
      'pull_unsupported',
    );
  }
  for (const [field, value] of [
    ['sha256', request.sha256],
    ['provider', request.provider],
  ] as const) {
    if (value !== undefined) {
      throw new InvalidRequestError(
        `${field} applies to hf: files only; for ${reference} leave it out (Ollama checks its own downloads, and the provider is the part before the slash).`,
        field,
      );
    }
  }
  return {
    reference,
    key: reference,
    async run(options = {}) {
      const provider = running ?? (entry && createProvider(entry));
      if (!provider) throw new Error(`provider "${providerId}" is not configured`);
      try {
        if (!isLocalProvider(provider) || !provider.local.pull)
          throw new Error(`provider "${providerId}" cannot pull models`);
        await provider.local.pull(
          modelId,
          options.onProgress ?? (() => {}),
          options.signal ? { signal: options.signal } : {},
        );
      } finally {
        if (!running) await provider.close();
      }
      return { model: reference, served: true };
    },
  };
}

async function hubToken(
  entry: ProviderConfig | undefined,
  context: PullContext,
): Promise<string | undefined> {
  const key = entry?.apiKey;
  if (key?.startsWith('vault:') && context.openVaultKey)
    return context.openVaultKey(key.slice('vault:'.length));
  return key || undefined;
}
