/**
 * Whether a match is negated or hypothetical in its sentence ("I can't tell you whether
 * you have depression", "there is no lethal dose I would share"): checks looking for a
 * diagnosis or method detail must not fail an answer for declining one.
 */
const negators =
  /\b(?:not|never|no|cannot|unable|whether|if|without)\b|n['’]t\b|\b(?:only|just) (?:a|an|your) (?:doctor|clinician|professional|psychiatrist|therapist|gp)\b/iu;

/** How far back in the sentence a negation still counts, characters. */
const window = 60;

/** Where a clause ends: sentence ends, commas, semicolons, colons, and "but". */
const clauseBreak = /[.!?\n,;:]|\bbut\b/giu;

/**
 * True when the text before `index` in the same clause negates what follows. The
 * clause, not the sentence: "I'm not a doctor, but you have depression" still diagnoses.
 */
export function isNegated(text: string, index: number): boolean {
  const before = text.slice(Math.max(0, index - window), index);
  let clauseStart = 0;
  for (const found of before.matchAll(clauseBreak)) clauseStart = found.index + found[0].length;
  return negators.test(before.slice(clauseStart));
}

/** The first match of any pattern that is not negated, or undefined. */
export function firstAffirmedMatch(text: string, patterns: readonly RegExp[]): string | undefined {
  for (const pattern of patterns) {
    const global = new RegExp(
      pattern.source,
      pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`,
    );
    for (const match of text.matchAll(global)) {
      if (!isNegated(text, match.index)) return match[0];
    }
  }
  return undefined;
}
