import { describe, expect, it } from 'vitest';
import { continuationRequest, continueInstruction, createOverlapTrimmer } from './continuation.js';

function run(partial: string, pieces: string[]): string {
  const trimmer = createOverlapTrimmer(partial);
  return pieces.map((piece) => trimmer.push(piece)).join('') + trimmer.flush();
}

describe('continuation', () => {
  it('asks the next model to finish the partial answer', () => {
    const request = continuationRequest(
      { model: 'x', messages: [{ role: 'user', content: 'Tell the story' }] },
      'The door creaks open and',
    );
    expect(request.messages.slice(1)).toEqual([
      { role: 'assistant', content: 'The door creaks open and' },
      { role: 'user', content: continueInstruction },
    ]);
  });

  it.each([
    [
      'new text flows through untouched',
      'The door creaks open and',
      [' you see', ' a hall.'],
      ' you see a hall.',
    ],
    [
      'a repeated tail is cut',
      'The door creaks open and you see',
      ['you see', ' a long hall.'],
      ' a long hall.',
    ],
    [
      'a restart from the beginning is cut',
      'The door creaks',
      ['The door', ' creaks open.'],
      ' open.',
    ],
    [
      'a repeat split across chunks is cut',
      'You step into the cave',
      ['into', ' the ', 'cave', ' and listen.'],
      ' and listen.',
    ],
    ['a short coincidence is kept', 'He said no', ['o way.'], 'o way.'],
    [
      'an answer that ends inside the repeat loses only the repeat',
      'Night falls over the village',
      ['the vil', 'lage'],
      '',
    ],
  ])('%s', (_name, partial, pieces, expected) => {
    expect(run(partial, pieces)).toBe(expected);
  });

  it('releases text at once when it cannot be a repeat', () => {
    const trimmer = createOverlapTrimmer('The lantern flickers');
    expect(trimmer.push('Suddenly')).toBe('Suddenly');
  });
});
