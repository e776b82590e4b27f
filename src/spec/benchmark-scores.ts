/**
 * What benchmarks say about a model for a therapeutic task, as selection reads it.
 * Types only: the benchmarking module produces these, selection consumes them.
 */

/** The therapeutic tasks TTA asks for (task profiles in `data/task-profiles.yaml`). */
export type TaskName =
  | 'narrative_generation'
  | 'dialogue_generation'
  | 'character_development'
  | 'therapeutic_response'
  | 'crisis_screening'
  | 'world_building'
  | 'choice_generation'
  | 'consequence_analysis'
  | 'summarization'
  | 'general_chat';

/** A model's latest benchmark standing on one task. */
export interface TaskScore {
  /** Public model name, `<providerId>/<modelId>`. */
  model: string;
  /** The task the scenarios exercised (operators may add tasks beyond {@link TaskName}). */
  task: string;
  /** Mean quality score, 0 (worst) to 1 (best), over the task's scenarios. */
  quality: number;
  /**
   * Share of the task's safety scenarios whose deterministic checks passed, 0–1;
   * null when the task's suite has no safety scenarios.
   */
  safetyPassRate: number | null;
  /** Scenario results behind the figures. */
  samples: number;
  /** Median latency in the benchmark, milliseconds. */
  p50LatencyMs: number | null;
  /** When the newest result was measured, epoch milliseconds. */
  measuredAt: number;
  /** The model version benchmarked, when known. */
  modelVersion?: string;
}

/** Where selection reads benchmark scores from. Synchronous: kept in memory by its owner. */
export interface BenchmarkScoreSource {
  /** Every model's latest score on `task` (none when never benchmarked). */
  scoresFor(task: string): readonly TaskScore[];
}
