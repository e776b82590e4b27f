import { GatewayError } from '../spec/index.js';
import type { Selection } from './select-models.js';

/** Advice for each kind of exclusion, keyed by the start of its reason. */
const advice: Array<[prefix: string, what: string]> = [
  [
    'safety: never benchmarked',
    'benchmark models on this task (`tta-models bench run --task <task> --models a,b`), or let the operator set selection.allowUnbenchmarkedForSafety (not advised)',
  ],
  [
    'safety: passed',
    'benchmark other models on this task, or choose a model that passes the safety threshold',
  ],
  [
    'context',
    'add a model with a larger context window (an OpenRouter key: `tta-models keys add openrouter`)',
  ],
  [
    'preference: local models only',
    'pull a local model that fits this machine (`tta-models local`, `tta-models pull`)',
  ],
  [
    'preference: free models only',
    'allow paid models, or add a provider with free models (`tta-models setup`)',
  ],
  ['privacy', 'pull a local model that fits this machine (`tta-models local`, `tta-models pull`)'],
  [
    'does not support',
    'add a model that supports what the task needs (see `tta-models models --json`)',
  ],
  ['latency', "relax the task's maxLatencyMs, or add a faster model"],
  ['price', "relax the task's maxPricePerMillion, or add a cheaper or local model"],
  ['policy', 'ask the operator to relax selection.excludeProviders'],
];

/** No model can serve the task (Requirement 2.5): says which requirement excluded which models, and what to do. */
export class NoModelAvailableError extends GatewayError {
  /** The decision that came up empty. */
  readonly selection: Selection;

  constructor(selection: Selection) {
    const byReason = new Map<string, string[]>();
    for (const { model, reasons } of selection.excluded) {
      for (const reason of reasons) {
        // Appended in place: a large catalog excluded for one reason is not copied per model.
        const models = byReason.get(reason);
        if (models === undefined) byReason.set(reason, [model]);
        else models.push(model);
      }
    }
    const lines = [...byReason.entries()]
      .sort((a, b) => b[1].length - a[1].length)
      .slice(0, 6)
      .map(
        ([reason, models]) =>
          `${reason}: ${models.slice(0, 3).join(', ')}${models.length > 3 ? ` and ${models.length - 3} more` : ''}`,
      );
    const todo = [
      ...new Set(
        advice
          .filter(([prefix]) => [...byReason.keys()].some((reason) => reason.startsWith(prefix)))
          .map(([, what]) => what),
      ),
    ];
    const message =
      selection.excluded.length === 0
        ? `No model is configured for "${selection.task}". Run \`tta-models setup\` to add a local model or an OpenRouter key.`
        : `No model can serve "${selection.task}": all ${selection.excluded.length} were excluded. ${lines.join('; ')}. To fix: ${todo.join('; ') || 'relax the task profile'}.`;
    super(message, { status: 503, type: 'server_error', code: 'no_model_available' });
    this.selection = selection;
  }
}
