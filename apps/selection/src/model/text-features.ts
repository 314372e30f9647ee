/**
 * Text → raw feature counts for the framework recommender. Training and inference share this file,
 * so a model always sees features built the same way. Three families:
 * - `w:` word unigrams and bigrams (numbers folded to `0`),
 * - `c:` character 3–5-grams inside word boundaries (robust to inflections: "approves", "approval"),
 * - `s:` hand-written signal groups from the labeling guide; they are only inputs, the model learns
 *   how much each one counts (and for which framework).
 */

/** The model reads at most this many characters of a description; longer text is truncated. */
export const MAX_MODEL_CHARS = 4000;


export function tokenize(text: string): string[] {
  return text
    .slice(0, MAX_MODEL_CHARS)
    .toLowerCase()
    .replace(/->|→|=>/g, ' then ')
    .replace(/[’']/g, '')
    .split(/[^a-z0-9$%+#]+/)
    .filter(Boolean)
    .map((t) => (/^[$]?\d[\d,.]*[%k]?$/.test(t) ? '0' : t));
}

export function wordNgrams(tokens: string[]): string[] {
  const grams: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    grams.push(`w:${tokens[i]}`);
    if (i + 1 < tokens.length) grams.push(`w:${tokens[i]} ${tokens[i + 1]}`);
  }
  return grams;
}

export function charNgrams(tokens: string[], min = 3, max = 5): string[] {
  const grams: string[] = [];
  for (const token of tokens) {
    const padded = ` ${token} `;
    for (let n = min; n <= max; n++) {
      if (padded.length < n) break;
      for (let i = 0; i + n <= padded.length; i++) grams.push(`c:${padded.slice(i, i + n)}`);
    }
  }
  return grams;
}

/** A group of phrases the labeling guide names as evidence for one shape of work. */
export interface SignalGroup {
  id: string;
  /** How the rationale names the group. */
  describes: string;
  pattern: RegExp;
}

// Patterns run on lower-cased text; keep them to phrases the labeling guide names as signals.
export const SIGNAL_GROUPS: readonly SignalGroup[] = [
  { id: 'approval', describes: 'approval or sign-off gates', pattern: /\b(approv\w*|sign[- ]?offs?|signs? (?:it )?off|sign-off|authori[sz]\w*|two approvers|signature)\b/g },
  { id: 'routing', describes: 'rule-based routing and thresholds', pattern: /\b(rout(?:e|es|ed|ing)|triage\w*|queue\w*|escalat\w*|thresholds?|above|below|exceeds?|over \$|if (?:the|it|a|an|any)|otherwise|auto-\w+)\b/g },
  { id: 'durability', describes: 'retries, checkpoints, deadlines or an audit trail', pattern: /\b(retr(?:y|ies|ied)|checkpoint\w*|resume\w*|audit (?:trail|log)|auditable|slas?|deadlines?|reminders?|backoff|time ?outs?|within \d+|business days)\b/g },
  { id: 'states', describes: 'defined states and steps', pattern: /\b(states?|stages?|status|pending|transitions?|steps?|each (?:claim|invoice|ticket|order|request|application)|every (?:claim|invoice|ticket|order|request|application)|workflow|pipeline|process(?:ing)?)\b/g },
  { id: 'roles', describes: 'named roles', pattern: /\b(researchers?|analysts?|writers?|editors?|reviewers?|strategists?|copywriters?|specialists?|experts?|consultants?|designers?|planners?|economists?|modell?ers?|auditors?|scouts?|fact-checkers?)\b/g },
  { id: 'team', describes: 'a team that delegates and consolidates', pattern: /\b(a team of|team of|crew|delegat\w*|consolidat\w*|compil\w*|stitch\w*|merg\w* (?:them|their)|each (?:write|review|contribut)\w*|lead (?:author|partner|analyst|consultant|reviewer)|under a|coordinat\w*|hand(?:s|ed)? (?:over|to))\b/g },
  { id: 'deliverable', describes: 'a written deliverable', pattern: /\b(reports?|memos?|briefs?|briefings?|proposals?|plans?|whitepapers?|decks?|articles?|campaigns?|guides?|playbooks?|documents?|newsletters?|narratives?|summar(?:y|ies))\b/g },
  { id: 'code', describes: 'writing and running code', pattern: /\b(code|coding|coder|script\w*|python|sql|pandas|regex|execut\w*|run(?:s|ning)? (?:it|them|the|both|my)|debug\w*|fix(?:es|ing)?|patch\w*|bugs?|tests? pass|until (?:it|they|the|all|every|everything)|iterat\w*|refactor\w*|benchmark\w*|reproduc\w*|compil(?:e|es) it)\b/g },
  { id: 'conversation', describes: 'an open conversation', pattern: /\b(chat\w*|conversation\w*|debat\w*|argu\w*|brainstorm\w*|socratic|tutor\w*|coach\w*|follow-up questions?|ask(?:s|ing)? me|back[- ]and[- ]forth|critic\w*|critique\w*|discuss\w*|practis\w*|practic\w*|with me|quiz\w*|role-play)\b/g },
  { id: 'sequence', describes: 'stages of different kinds in sequence', pattern: /\b(then|followed by|after that|and also|plus|both|combin\w*|mixed|hybrid|separately|inside it|in (?:the|that) \w+ (?:step|stage|phase|state))\b/g },
];

/** Counts of each signal group's matches, plus the matched phrases for the rationale. */
export function signalMatches(text: string): Map<string, string[]> {
  const lower = text.slice(0, MAX_MODEL_CHARS).toLowerCase();
  const found = new Map<string, string[]>();
  for (const group of SIGNAL_GROUPS) {
    const matches = [...lower.matchAll(group.pattern)].map((m) => m[0]);
    if (matches.length) found.set(group.id, matches);
  }
  return found;
}
