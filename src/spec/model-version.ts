/**
 * Model versions as the rest of the gateway sees them: what identifies one version of a
 * model, what changed between two, and what sessions ask to stay on theirs. Types only:
 * `versions/` produces these, `storage/` keeps them, `sessions/` consults them.
 */
import type { ModelPricing } from './model-card.js';

/**
 * Where a version's identity comes from: OpenRouter's canonical slug, creation time and
 * card; an Ollama digest; a GGUF file's sha256; or the `model` a custom provider's
 * answers report.
 */
export type VersionSource = 'openrouter' | 'ollama' | 'gguf' | 'reported';

/** One version of one model: its identity and the facts a change summary compares. */
export interface VersionFacts {
  /** Where the identity comes from. */
  source: VersionSource;
  /** OpenRouter's `canonical_slug` (the model's permanent slug). */
  canonicalSlug?: string;
  /** When the provider says the model was created, Unix seconds. */
  created?: number;
  /** Hash of the card's prices, context, output limit, parameters and modalities (OpenRouter). */
  cardFingerprint?: string;
  /** Ollama's manifest digest, `sha256:…`. */
  digest?: string;
  /** A GGUF file's sha256, hex. */
  sha256?: string;
  /** A GGUF file's size, bytes (with the modification time: when to hash again). */
  fileBytes?: number;
  /** A GGUF file's last modification, epoch milliseconds. */
  fileModifiedAt?: number;
  /** The `model` a custom provider's answers report. */
  reportedModel?: string;
  /** Context window, tokens. */
  contextLength?: number;
  /** Most tokens one answer may have. */
  maxOutputTokens?: number;
  /** Prices in USD per token (prompt, completion), per request, per image. */
  pricing?: ModelPricing;
  /** Request parameters the model honours (`tools`, `response_format`, ...). */
  supportedParameters?: string[];
  /** What it reads: `text`, `image` ... */
  inputModalities?: string[];
  /** What it writes. */
  outputModalities?: string[];
  /** Publisher or architecture family (`meta-llama`, `llama`). */
  family?: string;
  /** Parameters of the weights. */
  parameterCount?: number;
  /** Quantisation of local weights, e.g. `Q4_K_M`. */
  quantisation?: string;
  /** Size of local weights, bytes. */
  size?: number;
  /** The date after which the provider may remove the model (ISO 8601 date). */
  expiresAt?: string;
}

/** One difference between two versions, as a person reads it. */
export interface VersionChange {
  /** What changed: `contextLength`, `pricing.prompt`, `supportedParameters.tools`, `digest` ... */
  field: string;
  /** The old value as text, or null when there was none. */
  from: string | null;
  /** The new value as text, or null when it is gone. */
  to: string | null;
  /** The change in words, e.g. `context 128k → 64k`. */
  text: string;
  /** True when a request that worked before may fail now (a capability lost). */
  breaking: boolean;
  /** True when calls cost more now. */
  costlier?: boolean;
}

/** The model and version a session runs on. */
export interface SessionModelVersion {
  /** Public model name, `<providerId>/<modelId>`. */
  model: string;
  /** The version id (`ver_…`). */
  versionId: string;
  /** When the session started on it (or moved to it), epoch milliseconds. */
  since: number;
}

/** A session moved to another model version, and why. */
export interface SessionVersionMove {
  /** Where it was. */
  from: SessionModelVersion;
  /** Where it is now. */
  to: SessionModelVersion;
  /**
   * `version_replaced`: the provider serves a compatible new version of the same model.
   * `version_gone`: the version is no longer served and no compatible version of the same
   * model is; the nearest compatible model of the chain took over.
   * `no_compatible_version`: nothing compatible is served; the chain's first model took over.
   * `route_changed`: the model left the route the session asks for.
   */
  cause: 'version_replaced' | 'version_gone' | 'no_compatible_version' | 'route_changed';
  /** What differs, in words. */
  summary: string;
}

/**
 * What the session tracker asks about versions, so that a session keeps the version it
 * started with while that version is served.
 */
export interface SessionVersionPolicy {
  /** The version serving `model` now, when known. */
  currentVersion(model: string): string | undefined;
  /**
   * The chain in the order this session should try it: its own model first while its
   * version is served; otherwise the nearest compatible version, with the move to record.
   */
  arrange<Member extends { name: string }>(
    started: SessionModelVersion | undefined,
    members: Member[],
    now: number,
  ): { members: Member[]; move?: SessionVersionMove };
}
