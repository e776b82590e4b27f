/**
 * Reads a secret without it ever touching argv or shell history: a masked prompt on
 * a terminal (drawn on stderr, so stdout stays machine-readable), else all of stdin.
 */
export async function readSecret(message: string): Promise<string> {
  if (process.stdin.isTTY) {
    // Loaded only to prompt: every other command, `serve` included, is spared it.
    const { isCancel, password } = await import('@clack/prompts');
    const answer = await password({ message, output: process.stderr, mask: '•' });
    if (isCancel(answer)) throw new Error('cancelled; nothing was saved.');
    return answer;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const secret = Buffer.concat(chunks).toString('utf8').trim();
  if (!secret)
    throw new Error(
      'no key on stdin; pipe it in (e.g. `printenv OPENROUTER_API_KEY | tta-models keys add openrouter`) or run in a terminal to be prompted.',
    );
  return secret;
}
