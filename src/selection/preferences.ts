import { z } from 'zod';

/** A player's wishes, as stored (`PUT /api/preferences`) or sent per request (`metadata.preferences`). */
export const preferencesSchema = z.strictObject({
  localOnly: z.boolean().optional(),
  freeOnly: z.boolean().optional(),
  favourite: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*\/.+/, 'name a model as <providerId>/<modelId>')
    .optional(),
  avoid: z.array(z.string().min(1)).max(100).optional(),
});
