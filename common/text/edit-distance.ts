// Levenshtein distance: the engine's tokenizer names the closest known words with it, the
// editor's prompt fields suggest them as you type.

/** Levenshtein distance (insert, delete, substitute = 1). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** Up to `n` of `words` nearest to `word` by edit distance (ties: list order). */
export function closestWords(word: string, words: readonly string[], n = 3): string[] {
  return words
    .map((w, i) => ({ w, i, d: editDistance(word, w) }))
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .slice(0, n)
    .map((x) => x.w);
}
