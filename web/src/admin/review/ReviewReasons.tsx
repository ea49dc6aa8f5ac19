import { FactList } from "../FactList";
import type { ReviewItem } from "../../api/review";
import { formatWholePercent } from "../charts/scale";
import { trustSummary, voteSummary } from "../drawings/DrawingDetailPage";

/** What the latest label-issue scan made of the label. */
export function labelIssueText(item: ReviewItem): string {
  const issue = item.reasons.labelIssue;
  if (!issue) return "Not scanned yet";
  const suggestion =
    issue.suggestedShape.id === item.shape.id ? "the scan agrees with the label" : `the scan suggests ${issue.suggestedShape.name}`;
  return `Label quality ${issue.score.toFixed(2)}; ${suggestion}${issue.flagged ? " (marked as an issue)" : ""}`;
}

/** What the active model made of the drawing when it arrived. */
export function modelText(item: ReviewItem): string {
  const { modelAgreement, modelShape } = item.reasons;
  const saw = modelShape && modelShape !== item.shape.id ? `; it saw ${modelShape}` : "";
  if (modelAgreement !== null) return `${formatWholePercent(modelAgreement)} sure it is ${item.shape.name}${saw}`;
  return modelShape ? `Does not know ${item.shape.name}; it saw ${modelShape}` : "No model judged it";
}

export function consensusText(consensus: number | null | undefined): string {
  return consensus === null || consensus === undefined ? "Not enough votes" : `${formatWholePercent(consensus)} that the label is right`;
}

/** Why the drawing is in the queue, in plain words. */
export function ReviewReasons({ item }: { item: ReviewItem }) {
  const facts: [string, string][] = [
    ["Doubt", formatWholePercent(item.doubt)],
    ["Label-issue scan", labelIssueText(item)],
    ["Model", modelText(item)],
    ["Crowd consensus", consensusText(item.reasons.consensus)],
    ["Players' votes", voteSummary(item.reasons.votes)],
    ["Author trust", trustSummary(item.reasons.authorTrust)],
    ["Source", item.source],
    ["Created", new Date(item.createdAt).toLocaleString()],
  ];
  return (
<FactList facts={facts} className="review__reasons" />
  );
}
