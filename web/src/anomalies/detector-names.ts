/**
 * What each detector is called on screen, and what to do when one flagged nothing for a reason a person
 * can act on. Pure; ids are the server's (detectors.md), an unknown id is shown as it is.
 */
const TITLES: Record<string, string> = {
  'price-iqr': 'Unit price outside its group',
  'price-robust-z': 'Unit price far from its group (robust z)',
  'value-per-kg': 'Value per kg outside its group',
  'mirror-gap': 'Mirror gap',
  'mirror-quantity': 'Mirror value gap, quantities agree',
  routing: 'Unusual route',
  'party-surge': 'Surge of a party',
  'party-new-line': 'New line of business',
  benford: "First digits against Benford's law",
  'round-values': 'Round values',
  'payment-mismatch': 'Payment does not match the goods',
  'circular-trade': 'Circular trade',
  'learned-risk': 'Learned risk model',
  'watchlist-hit': 'Watch-list match',
};

export const detectorTitle = (id: string): string => TITLES[id] ?? id;

/** Why a detector may show 0, and the next step, when that is not simply "nothing unusual". */
export function zeroHint(id: string): string | null {
  if (id === 'learned-risk') return 'Scores lines only with a model trained on labelled lines: train one with parallax analyze --train --label fraud --batch B… (or --labels FILE), then run the analysis again.';
  if (id === 'watchlist-hit') return 'Needs a watch list loaded and the parties screened (parallax lists load, then parallax screen --all).';
  if (id === 'mirror-gap' || id === 'mirror-quantity') return 'Needs mirror statistics loaded (--profile canonical-mirror, comtrade or gfi-dots).';
  if (id === 'payment-mismatch') return 'Needs payments loaded (--category financial) with invoice references or declaration ids.';
  return null;
}
