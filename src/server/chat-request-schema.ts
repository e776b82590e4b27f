import { z } from 'zod';

const contentPart = z.looseObject({ type: z.string().min(1) });

const message = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
  name: z.string().optional(),
  tool_calls: z.array(z.looseObject({})).optional(),
  tool_call_id: z.string().optional(),
});

/**
 * The body of `POST /v1/chat/completions`: what OpenAI documents, strict where a
 * wrong type would only fail later upstream, loose for fields we pass through.
 */
export const chatRequestSchema = z
  .looseObject({
    model: z
      .string({
        error:
          'model is required: a name from GET /v1/models, e.g. "openrouter/meta-llama/llama-3.1-8b-instruct:free"',
      })
      .min(1, 'model must not be empty'),
    messages: z
      .array(message, { error: 'messages is required: an array of {role, content} objects' })
      .min(1, 'messages must hold at least one message'),
    stream: z.boolean().optional(),
    stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
    temperature: z.number().min(0).max(2).nullable().optional(),
    top_p: z.number().min(0).max(1).nullable().optional(),
    max_tokens: z.number().int().positive().nullable().optional(),
    max_completion_tokens: z.number().int().positive().nullable().optional(),
    n: z.number().int().positive().nullable().optional(),
    stop: z
      .union([z.string(), z.array(z.string())])
      .nullable()
      .optional(),
    tools: z.array(z.looseObject({ type: z.string() })).optional(),
    tool_choice: z.unknown().optional(),
    response_format: z.looseObject({ type: z.string() }).optional(),
    metadata: z.record(z.string(), z.unknown()).nullable().optional(),
  })
  .describe('An OpenAI chat-completions request. `model` is `<providerId>/<modelId>`.');

export type ChatRequestBody = z.infer<typeof chatRequestSchema>;
