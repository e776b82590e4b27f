import { z } from 'zod';

/**
 * `versions:` in config.yaml: what promotion demands. Version notices are POSTed to the
 * alert webhook (`alerts.webhookUrl`) as JSON `{ text, source, notice }`.
 */
export const versionsConfigSchema = z.strictObject({
  /** Refuse a promotion unless the target model has a recent benchmark result. */
  requireBenchmark: z.boolean().default(false),
  /** How recent that benchmark result must be, in days. */
  benchmarkMaxAgeDays: z.number().positive().default(30),
  /** Migration targets that retire within this many days themselves are not suggested. */
  deprecationHorizonDays: z.number().int().positive().default(30),
});

/** The `versions:` section, defaults filled in. */
export type VersionsConfig = z.infer<typeof versionsConfigSchema>;
