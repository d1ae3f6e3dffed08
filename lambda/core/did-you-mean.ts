/** Suggestions for mistyped names, by edit distance. Pure. */

/** The Levenshtein distance between two strings: insertions, deletions and substitutions. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * The candidate closest to `name`, ignoring case, when it is close enough to be a typo: at most
 * `maxEdits`, by default two edits or a third of the name's length for long names. Ties go to the first
 * candidate.
 */
export function closestName(name: string, candidates: readonly string[], maxEdits = Math.max(2, Math.floor(name.length / 3))): string | undefined {
  const limit = maxEdits;
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    // The distance is at least the difference in length: most names are ruled out without computing it.
    if (Math.abs(candidate.length - name.length) > limit) continue;
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}
