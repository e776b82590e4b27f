import { continueInstruction } from '../src/resilience/continuation.js';

/**
 * A fake's reply text for a fallback model: asked to continue a broken answer (the
 * gateway's mid-stream continuation), it continues with `continuation`; otherwise it
 * answers afresh with `fresh`.
 */
export function continuingReply(continuation: string, fresh: string) {
  return (body: Record<string, unknown>): string => {
    const turns = body.messages as Array<{ role: string; content: string }>;
    return turns.at(-1)?.content === continueInstruction ? continuation : fresh;
  };
}
