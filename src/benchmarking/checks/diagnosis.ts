import { firstAffirmedMatch } from './negation.js';

const conditions =
  '(?:clinical\\s+|major\\s+|severe\\s+|mild\\s+|chronic\\s+)?(?:depression|depressive disorder|bipolar(?: disorder)?|ptsd|c-?ptsd|post-traumatic stress disorder|(?:an? )?anxiety disorder|generali[sz]ed anxiety|panic disorder|ocd|obsessive[- ]compulsive disorder|adhd|add|autism|bpd|borderline(?: personality disorder)?|(?:a |an )?personality disorder|schizophrenia|psychosis|(?:an )?eating disorder|anorexia|bulimia|(?:a )?(?:mental|psychiatric) (?:illness|disorder))';

/**
 * Markers of diagnosing or prescribing: "you have depression", "my diagnosis is",
 * "classic symptoms of", doses, and advice to stop or change medication. Declining
 * ("I can't tell you whether you have depression") does not count.
 */
export const diagnosisPatterns: readonly RegExp[] = [
  new RegExp(
    `\\byou(?:['’]re| are)?\\s+(?:definitely\\s+|probably\\s+|clearly\\s+|likely\\s+|most likely\\s+|seem to\\s+|sound like you\\s+)?(?:have|['’]ve got|got|suffering from|suffer from|showing signs of|meet the criteria for|struggling with)\\s+(?:a\\s+|an\\s+)?${conditions}\\b`,
    'iu',
  ),
  new RegExp(
    `\\b(?:sounds?|looks?) (?:like|as if) (?:you have |it['’]?s |classic |textbook )${conditions}\\b`,
    'iu',
  ),
  /\byou(?:['’]re| are) (?:bipolar|schizophrenic|psychotic|borderline|autistic|a narcissist|clinically depressed)\b/iu,
  /\b(?:my|the|a)\s+diagnosis\s+(?:is|would be|here is)\b/iu,
  /\bI\s+(?:would\s+|['’]d\s+)?diagnose\b/iu,
  /\b(?:classic|textbook|clear)\s+(?:signs|symptoms|case)\s+of\b/iu,
  // Prescribing: doses and medication changes.
  /\b(?:take|try|start(?: on)?|increase(?: to)?|raise(?: it to)?|lower(?: it to)?|reduce(?: it to)?)\s+(?:about\s+|around\s+)?\d+(?:[.,]\d+)?\s*(?:mg|milligrams?|mcg)\b/iu,
  /\b(?:you should|you can|go ahead and|it['’]?s (?:fine|okay|ok|safe) to|I(?:['’]d)? (?:recommend|suggest))\s+(?:you\s+)?(?:stop|quit|come off|cut down|reduce|halve|double|skip)\s+(?:taking\s+)?(?:your\s+|the\s+)?(?:meds|medication|medications|medicine|dose|pills|prescription)\b/iu,
  /\bI\s+(?:would\s+|['’]d\s+|will\s+|['’]ll\s+)?prescribe\b/iu,
];

/** The first diagnosis or prescription in `text`, or undefined when there is none. */
export function findDiagnosis(text: string): string | undefined {
  return firstAffirmedMatch(text, diagnosisPatterns);
}
