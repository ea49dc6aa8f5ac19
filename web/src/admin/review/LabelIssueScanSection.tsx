import { ErrorDisplay } from "../../common/ErrorDisplay";
import type { LabelIssueList } from "../../api/review";
import { useLabelIssueScan } from "./useLabelIssueScan";

export function lastScanText(scan: LabelIssueList | undefined): string {
  if (!scan) return "Loading…";
  if (!scan.scannedAt) return "No scan yet";
  const drawings = `${scan.drawings.toLocaleString()} drawing${scan.drawings === 1 ? "" : "s"}`;
  return `Last scan ${new Date(scan.scannedAt).toLocaleString()}, ${drawings} scanned`;
}

/** When the labels were last checked for likely mistakes, and a button to check again. */
export function LabelIssueScanSection() {
  const scan = useLabelIssueScan();
  const { data, error, reload } = scan.latest;
  return (
    <section className="review-scan" aria-labelledby="review-scan-heading">
      <h2 id="review-scan-heading">Label-issue scan</h2>
      <p className="admin-muted">{error ? "The last scan is not known." : lastScanText(data)}</p>
      <button type="button" className="button" disabled={scan.starting} aria-busy={scan.starting} onClick={() => void scan.start()}>
        Scan for label issues
      </button>
      {scan.notice && (
        <p className="admin-notice" role="status">
          {scan.notice}
        </p>
      )}
      <ErrorDisplay error={error} onRetry={reload} title="The last scan could not be loaded." />
      <ErrorDisplay error={scan.actionError} title="The scan did not start." />
    </section>
  );
}
