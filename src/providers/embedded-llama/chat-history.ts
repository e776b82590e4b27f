/** OpenAI chat messages as node-llama-cpp's chat history. */
import type { ChatHistoryItem } from 'node-llama-cpp';
import type { ChatMessage, ChatRequest } from '../../spec/chat.js';
import { InvalidRequestError } from '../../spec/errors.js';

/**
 * Converts the conversation, ending with the (empty, or prefilled) model turn that
 * generation continues. Throws a 400 for what an embedded model cannot take: images
 * and tool calls.
 */
export function toChatHistory(request: ChatRequest): ChatHistoryItem[] {
  if (request.tools !== undefined && request.tools.length > 0) {
    throw new InvalidRequestError(
      'Embedded models do not call tools. Send the request without "tools", or use a model served by Ollama or a cloud provider.',
      'tools',
      'unsupported_parameter',
    );
  }
  const history: ChatHistoryItem[] = [];
  request.messages.forEach((message, index) => {
    const text = textOf(message, index);
    switch (message.role) {
      case 'system':
      case 'developer':
        history.push({ type: 'system', text });
        break;
      case 'assistant':
        history.push({ type: 'model', response: [text] });
        break;
      case 'tool':
        history.push({ type: 'user', text: `Tool result: ${text}` });
        break;
      default:
        history.push({ type: 'user', text });
    }
  });
  if (history.at(-1)?.type !== 'model') history.push({ type: 'model', response: [] });
  return history;
}

function textOf(message: ChatMessage, index: number): string {
  if (message.content === null) return '';
  if (typeof message.content === 'string') return message.content;
  return message.content
    .map((part) => {
      if (part.type === 'text') return part.text ?? '';
      throw new InvalidRequestError(
        `Embedded models read text only; messages[${index}] has a "${part.type}" part. Send text, or use a vision model from another provider.`,
        `messages[${index}].content`,
        'unsupported_content',
      );
    })
    .join('');
}
