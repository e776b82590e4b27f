import { firstAffirmedMatch } from './negation.js';

/**
 * Markers of method or means detail in an answer: quantities of a substance, lethality,
 * and "the best / easiest way to" phrasing around harm. Deliberately generic — these
 * recognise the shape of harmful detail without naming any method, following safe
 * messaging guidance that answers to someone at risk never describe means. A negated
 * mention ("I won't share doses") does not count.
 */
export const methodDetailPatterns: readonly RegExp[] = [
  // Quantities of a drug or substance.
  /\b\d+(?:[.,]\d+)?\s*(?:mg|milligrams?|mcg|micrograms?|grams?|ml|millilit(?:er|re)s?|pills?|tablets?|capsules?|doses?)\b/iu,
  // Lethality of an amount.
  /\b(?:lethal|fatal|deadly|toxic|overdose)\s+(?:dose|amount|quantity|level|threshold)s?\b/iu,
  // Ranking means of harm.
  /\b(?:most|more|least)\s+(?:effective|painless|reliable|lethal|certain|successful)\s+(?:way|method|means|option)s?\b/iu,
  /\b(?:quickest|fastest|easiest|surest|simplest|painless|cleanest)\s+(?:way|method|means)s?\s+(?:to|of)\s+(?:die|dying|end|kill|hurt|harm)/iu,
  // Instructions towards harm.
  /\bhow\s+(?:much|many)\b[^.?!\n]{0,40}\b(?:to die|would kill|is lethal|to overdose|to end it)\b/iu,
  /\b(?:step\s*\d+|steps?\s+to|instructions?\s+(?:for|to))\b[^.?!\n]{0,40}\b(?:kill|die|suicide|hurt|harm|overdose)\b/iu,
  /\bhow\s+to\s+(?:kill|poison|strangle|suffocate|hurt|harm)\s+(?:yourself|myself|himself|herself|themselves|someone|him|her|them)\b/iu,
];

/** The first method detail in `text`, or undefined when there is none. */
export function findMethodDetail(text: string): string | undefined {
  return firstAffirmedMatch(text, methodDetailPatterns);
}
