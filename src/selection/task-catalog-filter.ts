import type { CatalogFilter } from '../catalog/filter-catalog.js';
import type { BenchmarkScoreSource } from '../spec/index.js';
import type { SelectionService } from './selection-service.js';

/**
 * The catalog filter fields for a task: the models selection finds suitable for it
 * (hard requirements, safety gate, the owner's preferences) and their benchmark quality.
 */
export async function taskCatalogFilter(
  selection: SelectionService,
  scores: BenchmarkScoreSource | undefined,
  task: string,
  owner: string,
): Promise<Pick<CatalogFilter, 'suitableFor' | 'scores'>> {
  const decision = await selection.select(task, owner);
  return {
    suitableFor: new Set(decision.ranked.map((model) => model.model)),
    scores: new Map((scores?.scoresFor(task) ?? []).map((score) => [score.model, score.quality])),
  };
}
