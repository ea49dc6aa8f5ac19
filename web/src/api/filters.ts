/** The drawing filters a training job and a dataset snapshot share (the server's
 * crowdsketch/datasets/selection.py); every field optional, the server fills the defaults. */
export interface SelectionFilters {
  minQuality?: number;
  /** Leave out drawings the model gave less than this probability of their shape; unset: no filter. */
  minAgreement?: number | null;
  minConsensus?: number | null;
  minTrust?: number | null;
  includeSynthetic?: boolean;
  includeFlagged?: boolean;
}
