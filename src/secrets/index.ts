/** The key vault's public face: sealed provider keys, their validation, and secret scrubbing. */
export {
  type ApiKeyInfo,
  createKeyVault,
  type KeyVault,
  type KeyVaultOptions,
  type NewApiKey,
  operatorOwner,
  type RotationResult,
  type RotationStep,
} from './key-vault.js';
export {
  fingerprintSetting,
  generateMasterKey,
  type MasterKeySource,
  masterKeyFileName,
  masterKeyFingerprint,
  masterKeyVariable,
  newMasterKeyVariable,
  parseMasterKey,
  pendingMasterKeyFileName,
} from './master-key.js';
export {
  createScrubbingDestination,
  createSecretScrubber,
  type LineDestination,
  minimumKnownSecretLength,
  redacted,
  scrubSecrets,
} from './scrub-secrets.js';
export { openSealed, type SealBinding, sealSecret } from './seal.js';
export {
  judgeKeyFailure,
  type KeyCheckStatus,
  type KeyValidation,
  type OpenRouterKeyDetails,
  type ValidateKeyOptions,
  validateKey,
} from './validate-key.js';
export { VaultError, type VaultErrorCode } from './vault-error.js';
