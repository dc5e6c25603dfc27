/**
 * Jaro–Winkler similarity of two strings (0 = nothing in common, 1 = equal).
 *
 * Invariants: pure, symmetric, in [0, 1]; the standard definition (match window max(len)/2 - 1,
 * transpositions halved, Winkler prefix bonus 0.1 per common leading character up to 4, applied to any
 * Jaro score) so values agree with published examples (MARTHA/MARHTA 0.961, DWAYNE/DUANE 0.84,
 * DIXON/DICKSONX 0.813). Written here because it is twenty lines and sits on the hot path of screening.
 */

export function jaro(a: string, b: string): number {
  if (a === b) return a.length ? 1 : 1;
  const la = a.length;
  const lb = b.length;
  if (!la || !lb) return 0;
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  const aMatched = new Uint8Array(la);
  const bMatched = new Uint8Array(lb);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    for (let j = lo; j <= hi; j++) {
      if (bMatched[j] || a.charCodeAt(i) !== b.charCodeAt(j)) continue;
      aMatched[i] = 1;
      bMatched[j] = 1;
      matches++;
      break;
    }
  }
  if (!matches) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (!aMatched[i]) continue;
    while (!bMatched[k]) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) transpositions++;
    k++;
  }
  const m = matches;
  return (m / la + m / lb + (m - transpositions / 2) / m) / 3;
}

export function jaroWinkler(a: string, b: string, prefixScale = 0.1): number {
  const j = jaro(a, b);
  let prefix = 0;
  const max = Math.min(4, a.length, b.length);
  while (prefix < max && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return j + prefix * prefixScale * (1 - j);
}
