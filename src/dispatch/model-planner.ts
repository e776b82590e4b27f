import type { ModelList, ProviderListing } from '../catalog/model-list.js';
import type { GatewayConfig } from '../config/config-schema.js';
import type { ChainMember } from '../resilience/fallback-chain.js';
import type { Preferences } from '../selection/select-models.js';
import { type SelectionService, selectionHeader } from '../selection/selection-service.js';
import {
  InvalidRequestError,
  type ModelCard,
  ModelNotFoundError,
  type Provider,
} from '../spec/index.js';
import type { Plan } from './chat-dispatcher.js';

const routePrefix = 'route:';
const taskPrefix = 'task:';

/** Most model names whose chain member is kept; names come from clients, so it is bounded. */
const maxResolved = 10_000;

/** A listing's cards by id (the first of each id), made once per listing: listings are replaced, never changed. */
const cardIndexes = new WeakMap<ProviderListing, Map<string, ModelCard>>();

function cardsById(listing: ProviderListing): Map<string, ModelCard> {
  let index = cardIndexes.get(listing);
  if (index === undefined) {
    index = new Map();
    for (const card of listing.models) if (!index.has(card.id)) index.set(card.id, card);
    cardIndexes.set(listing, index);
  }
  return index;
}

/** Who asks and for what: task and preferences matter for `auto` and `task:` names. */
export interface PlanContext {
  owner?: string;
  task?: string;
  preferences?: Preferences;
}

/**
 * Turns what a client puts in `model` into the models to try: `<provider>/<model>` is a
 * chain of one, `route:<name>` the route's chain from the config, and `auto` (with a
 * task) or `task:<name>` the ranked chain task-aware selection chooses.
 */
export function createModelPlanner(options: {
  providers: ReadonlyMap<string, Provider>;
  models: ModelList;
  config: Pick<GatewayConfig, 'routes' | 'resilience'>;
  selection?: () => SelectionService | undefined;
}) {
  const { providers, models, config } = options;
  // Every request resolves its model: a name seen before, under the same listing, is a
  // map lookup instead of a search of the listing and a new model handle.
  const resolved = new Map<string, { listing: ProviderListing | undefined; member: ChainMember }>();

  /** One model; `checkListing` refuses names the provider's (fresh) listing lacks. */
  function resolve(name: string, checkListing = true): ChainMember {
    const slash = name.indexOf('/');
    const providerId = slash > 0 ? name.slice(0, slash) : name;
    const modelId = slash > 0 ? name.slice(slash + 1) : '';
    const provider = providers.get(providerId);
    if (!provider || !modelId) {
      const known = [...providers.keys()].map((id) => `"${id}"`).join(', ') || 'none configured';
      const routes = Object.keys(config.routes);
      const routeHint =
        routes.length > 0
          ? `, a route (${routes.map((route) => `"route:${route}"`).join(', ')})`
          : '';
      throw new ModelNotFoundError(
        `The model "${name}" does not exist. Name a model as <provider>/<model>, with a provider from config.yaml (${known})${routeHint}, or "auto" with a task; GET /v1/models lists them all.`,
      );
    }
    const listing = models.cached(providerId);
    const card = listing === undefined ? undefined : cardsById(listing).get(modelId);
    if (checkListing && listing?.known && listing.error === undefined && card === undefined) {
      throw new ModelNotFoundError(
        `The provider "${providerId}" does not offer the model "${modelId}". GET /v1/models lists the models it offers.`,
      );
    }
    const known = resolved.get(name);
    if (known !== undefined && known.listing === listing) return known.member;
    const capabilities = card && {
      ...(card.contextLength === undefined ? {} : { contextLength: card.contextLength }),
      ...(card.supportedParameters === undefined
        ? {}
        : { supportedParameters: card.supportedParameters }),
    };
    const member: ChainMember = {
      name,
      providerId,
      model: provider.model(modelId),
      ...(capabilities ? { capabilities } : {}),
    };
    if (resolved.size >= maxResolved) resolved.clear();
    resolved.set(name, { listing, member });
    return member;
  }

  async function planTask(task: string, context: PlanContext): Promise<Plan> {
    const selection = options.selection?.();
    if (!selection)
      throw new InvalidRequestError(
        'Task-aware selection is not available in this gateway.',
        'model',
      );
    const chosen = await selection.chain(task, context.owner ?? 'operator', context.preferences);
    const first = chosen.members[0]?.name ?? '';
    return {
      members: chosen.members,
      deadlines: config.resilience.deadlines,
      explanation: selectionHeader(chosen.selection, first),
    };
  }

  return {
    resolve,
    /** The chain for a client's model name; throws `ModelNotFoundError` for unknown names. */
    async plan(name: string, context: PlanContext = {}): Promise<Plan> {
      if (name === 'auto') {
        if (!context.task) {
          throw new InvalidRequestError(
            'model "auto" needs a task: send it in the x-tta-task header or metadata.task (e.g. "narrative_generation"), or name a model.',
            'metadata.task',
            'task_required',
          );
        }
        return planTask(context.task, context);
      }
      if (name.startsWith(taskPrefix)) return planTask(name.slice(taskPrefix.length), context);
      if (!name.startsWith(routePrefix))
        return { members: [resolve(name)], deadlines: config.resilience.deadlines };
      const routeName = name.slice(routePrefix.length);
      const route = config.routes[routeName];
      if (!route) {
        const known = Object.keys(config.routes).join(', ') || 'none configured';
        throw new ModelNotFoundError(
          `There is no route "${routeName}" (routes in config.yaml: ${known}).`,
        );
      }
      // A route member missing from a listing is the chain's to skip, not a reason to refuse.
      return {
        members: route.models.map((member) => resolve(member, false)),
        deadlines: { ...config.resilience.deadlines, ...route.deadlines },
      };
    },
    /** Route names, as clients address them (`route:<name>`). */
    routes(): string[] {
      return Object.keys(config.routes).map((route) => `${routePrefix}${route}`);
    },
  };
}

/** Model planning of a gateway. */
export type ModelPlanner = ReturnType<typeof createModelPlanner>;
