import { isMap, isSeq, parseDocument, YAMLSeq } from 'yaml';

/** What the user chose. Keys are not here: they go to the vault, never into the file. */
export interface SetupChoices {
  /** Add Ollama at this root URL. */
  ollama?: { baseUrl: string };
  /** Add a llama.cpp server at this base URL (…/v1). */
  llamaCpp?: { baseUrl: string };
  /** Add OpenRouter (default base URL unless given). */
  openRouter?: { baseUrl?: string };
  /** Add the user's own provider. */
  custom?: { id: string; type: 'openai-compatible' | 'anthropic'; baseUrl?: string };
}

/** One provider entry as setup writes it. */
export interface SetupProviderEntry {
  id: string;
  type: 'ollama' | 'openai-compatible' | 'openrouter' | 'anthropic';
  baseUrl?: string;
}

/** Provider ids setup uses for what it detects. */
export const setupProviderIds = {
  ollama: 'ollama',
  llamaCpp: 'llamacpp',
  openRouter: 'openrouter',
};

/** The provider entries for the choices, in a stable order. */
export function providerEntries(choices: SetupChoices): SetupProviderEntry[] {
  const entries: SetupProviderEntry[] = [];
  if (choices.ollama)
    entries.push({ id: setupProviderIds.ollama, type: 'ollama', baseUrl: choices.ollama.baseUrl });
  if (choices.llamaCpp) {
    entries.push({
      id: setupProviderIds.llamaCpp,
      type: 'openai-compatible',
      baseUrl: choices.llamaCpp.baseUrl,
    });
  }
  if (choices.openRouter) {
    entries.push({
      id: setupProviderIds.openRouter,
      type: 'openrouter',
      ...(choices.openRouter.baseUrl ? { baseUrl: choices.openRouter.baseUrl } : {}),
    });
  }
  if (choices.custom) {
    entries.push({
      id: choices.custom.id,
      type: choices.custom.type,
      ...(choices.custom.baseUrl ? { baseUrl: choices.custom.baseUrl } : {}),
    });
  }
  return entries;
}

const header = `# tta-models configuration, written by \`tta-models setup\`. Reference: README.md#configuration
# Keys are not in this file: setup stored them encrypted in the vault (\`tta-models keys list\`).
`;

/**
 * The config text with these providers: entries with the same ids are replaced, other
 * providers and every other setting (and comment) stay as they were.
 */
export function mergeConfigText(
  existing: string | undefined,
  entries: readonly SetupProviderEntry[],
): string {
  const document = parseDocument(existing?.trim() ? existing : `${header}providers: []\n`);
  if (document.errors.length > 0) {
    throw new Error(
      `the existing config is not valid YAML (${document.errors[0]?.message.split('\n')[0]}); fix it or move it away, then run setup again`,
    );
  }
  if (document.contents === null) document.contents = document.createNode({}) as never;
  if (!isMap(document.contents))
    throw new Error(
      'the existing config is not a YAML mapping; fix it or move it away, then run setup again',
    );
  const ids = new Set(entries.map((entry) => entry.id));
  const current = document.get('providers');
  const kept = isSeq(current)
    ? current.items.filter((item) => !(isMap(item) && ids.has(String(item.get('id')))))
    : [];
  const providers = new YAMLSeq<unknown>();
  providers.items = [...kept, ...entries.map((entry) => document.createNode(entry))];
  document.set('providers', providers);
  return document.toString({ lineWidth: 0 });
}
