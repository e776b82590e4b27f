import type { FastifyPluginAsync } from 'fastify';
import type { Gateway } from '../../gateway.js';
import type { ModelCard } from '../../spec/index.js';
import { ModelNotFoundError } from '../../spec/index.js';

/** A model as OpenAI's `/v1/models` shows it, named `<providerId>/<modelId>`. */
function toOpenAIModel(card: ModelCard) {
  return {
    id: `${card.providerId}/${card.id}`,
    object: 'model' as const,
    created: card.created ?? 0,
    owned_by: card.ownedBy ?? card.providerId,
    ...(card.name ? { name: card.name } : {}),
    ...(card.contextLength ? { context_length: card.contextLength } : {}),
  };
}

/** `GET /v1/models` and `GET /v1/models/{provider}/{model}`. */
export function modelsRoute(gateway: Gateway): FastifyPluginAsync {
  async function allModels() {
    const listings = await gateway.models.all();
    const tasks = ['auto', ...gateway.selection.tasks().map((task) => `task:${task}`)].map(
      (id) => ({
        id,
        object: 'model' as const,
        created: 0,
        owned_by: 'tta-models',
      }),
    );
    const routes = gateway.planner
      .routes()
      .map((id) => ({ id, object: 'model' as const, created: 0, owned_by: 'tta-models' }));
    return [
      ...tasks,
      ...routes,
      ...listings.flatMap((listing) => listing.models.map(toOpenAIModel)),
    ];
  }

  return async (app) => {
    app.get(
      '/v1/models',
      {
        schema: { tags: ['data plane'], summary: 'List every model of every configured provider' },
      },
      async () => ({ object: 'list', data: await allModels() }),
    );
    app.get(
      '/v1/models/*',
      { schema: { tags: ['data plane'], summary: 'Retrieve one model by its full name' } },
      async (request) => {
        const name = (request.params as { '*': string })['*'];
        const model = (await allModels()).find((candidate) => candidate.id === name);
        if (!model)
          throw new ModelNotFoundError(
            `The model "${name}" does not exist; GET /v1/models lists the models on offer.`,
          );
        return model;
      },
    );
  };
}
