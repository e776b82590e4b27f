import type { ChatRequest } from '../spec/index.js';

/** Told to the next model when a stream broke off: carry on, do not start over. */
export const continueInstruction =
  'Your previous reply was cut off mid-way. Continue it exactly where it stopped, as if nothing happened: do not repeat any of it, do not mention the interruption, do not start a new reply.';

/**
 * The request that lets another model finish a broken stream: the conversation, the
 * partial answer as the assistant's turn, and an instruction to continue seamlessly.
 */
export function continuationRequest(request: ChatRequest, partial: string): ChatRequest {
  return {
    ...request,
    messages: [
      ...request.messages,
      { role: 'assistant', content: partial },
      { role: 'user', content: continueInstruction },
    ],
  };
}

/** Overlaps shorter than this are taken for coincidence (a shared space or letter), not a repeat. */
const minimumOverlap = 4;

/**
 * Removes what a continuation repeats of the partial answer. Text is held back only
 * while it could still be a repeat (it occurs in the partial answer); as soon as it
 * cannot, the longest suffix of the partial answer that it starts with is cut off
 * and the rest flows through untouched.
 */
export function createOverlapTrimmer(partial: string) {
  let held = '';
  let decided = false;

  function decide(): string {
    decided = true;
    let overlap = 0;
    for (let length = Math.min(held.length, partial.length); length >= minimumOverlap; length--) {
      if (partial.endsWith(held.slice(0, length))) {
        overlap = length;
        break;
      }
    }
    const text = held.slice(overlap);
    held = '';
    return text;
  }

  return {
    /** Text to emit now for a new piece of continuation (may be empty while undecided). */
    push(text: string): string {
      if (decided) return text;
      held += text;
      // Still possibly a repeat while the held text occurs in the partial answer.
      if (partial.includes(held) && held.length < partial.length) return '';
      return decide();
    },
    /** Whatever is still held, at the end of the stream or before a final chunk. */
    flush(): string {
      return decided ? '' : decide();
    },
  };
}
