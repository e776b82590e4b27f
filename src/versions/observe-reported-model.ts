/**
 * A custom provider's model version is the `model` its answers report (a llama.cpp server
 * swapped to another file, an `-latest` alias moved to a new snapshot). This wraps such a
 * provider so every answer's `model` is handed to an observer: one string comparison per
 * answer, the rest happens only when it changes.
 */
import type { ChatCompletionChunk, ChatModel, Provider } from '../spec/index.js';

/** Told the model an answer reported: `<providerId>/<modelId>` and the reported string. */
export type ReportedModelObserver = (model: string, reported: string) => void;

/** Provider types whose versions are known only from their answers. */
export const reportedVersionTypes: ReadonlySet<Provider['type']> = new Set([
  'openai-compatible',
  'anthropic',
]);

/** The provider, its models reporting what their answers say; other provider types unchanged. */
export function observeReportedModel(provider: Provider, observe: ReportedModelObserver): Provider {
  if (!reportedVersionTypes.has(provider.type)) return provider;
  return { ...provider, model: (modelId) => observed(provider.model(modelId), observe) };
}

function observed(model: ChatModel, observe: ReportedModelObserver): ChatModel {
  const name = `${model.providerId}/${model.modelId}`;
  const tell = (reported: unknown) => {
    // An observer's trouble must never reach the answer.
    if (typeof reported === 'string' && reported !== '') {
      try {
        observe(name, reported);
      } catch {}
    }
  };
  return {
    providerId: model.providerId,
    modelId: model.modelId,
    async generate(request, options) {
      const completion = await model.generate(request, options);
      tell(completion.model);
      return completion;
    },
    async *stream(request, options): AsyncIterable<ChatCompletionChunk> {
      let told = false;
      for await (const chunk of model.stream(request, options)) {
        if (!told) {
          told = true;
          tell(chunk.model);
        }
        yield chunk;
      }
    },
  };
}
