/** Probabilities from logits, as the server computes them (crowdsketch/common/scoring.py). */
export function softmax(logits: readonly number[]): number[] {
  const top = Math.max(...logits);
  const exp = logits.map((logit) => Math.exp(logit - top));
  const sum = exp.reduce((total, value) => total + value, 0);
  return exp.map((value) => value / sum);
}
