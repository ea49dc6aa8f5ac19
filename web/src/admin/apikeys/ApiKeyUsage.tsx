import { useCallback, useId } from "react";
import { fetchApiKeyUsage, type ApiKeyRead, type ApiKeyUsage as Usage } from "../../api/apiKeys";
import { ErrorDisplay } from "../../common/ErrorDisplay";
import { ColumnChart } from "../charts/ColumnChart";
import { useApiResource } from "../useApiResource";
import { formatMs, requestsPerDay, versionLabel } from "./usageDays";

export const USAGE_DAYS = 30;

const plural = (n: number, one: string, many: string) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

function UsageTable({ usage }: { usage: Usage }) {
  return (
    <div className="admin-scroll">
      <table className="admin-table api-key-usage__table">
        <caption>Requests by day and model version</caption>
        <thead>
          <tr>
            <th scope="col">Day (UTC)</th>
            <th scope="col">Model</th>
            <th scope="col">Requests</th>
            <th scope="col">Errors</th>
            <th scope="col">Median ms</th>
          </tr>
        </thead>
        <tbody>
          {usage.days.map((row) => (
            <tr key={`${row.day}:${row.modelVersion ?? "none"}`}>
              <th scope="row">{row.day}</th>
              <td>{versionLabel(row.modelVersion)}</td>
              <td>{row.requests.toLocaleString()}</td>
              <td>{row.errors.toLocaleString()}</td>
              <td>{formatMs(row.p50Ms)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={2}>
              Total
            </th>
            <td>{usage.totals.requests.toLocaleString()}</td>
            <td>{usage.totals.errors.toLocaleString()}</td>
            <td />
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

/** One key's use over the last 30 days: requests per day, and per day and model version the
 * requests, errors and median time in the app. */
export function ApiKeyUsage({ apiKey }: { apiKey: ApiKeyRead }) {
  const id = useId();
  const keyId = apiKey.id;
  const load = useCallback((signal: AbortSignal) => fetchApiKeyUsage(keyId, USAGE_DAYS, signal), [keyId]);
  const { data, error, loading, reload } = useApiResource(load);
  // The last key's numbers stay until this key's arrive: never shown under this key's name.
  const usage = data?.keyId === keyId ? data : undefined;

  return (
    <section className="api-key-usage" aria-labelledby={`${id}-title`}>
      <div className="admin-toolbar">
        <h2 id={`${id}-title`}>Usage of “{apiKey.name}”</h2>
        <button type="button" className="button" onClick={reload} disabled={loading} aria-busy={loading}>
          Refresh <span className="visually-hidden">usage</span>
        </button>
      </div>
      <ErrorDisplay error={error} onRetry={reload} title="The usage could not be loaded." />
      {!usage && !error && <p className="admin-muted">Loading…</p>}
      {usage && (
        <>
          <p role="status" aria-label="Usage totals">
            Last {USAGE_DAYS} days: {plural(usage.totals.requests, "request", "requests")}, {plural(usage.totals.errors, "error", "errors")}.
          </p>
          <ColumnChart title={`Requests per day (last ${USAGE_DAYS} UTC days)`} labelEvery={5} columns={requestsPerDay(usage.days, USAGE_DAYS)} />
          {usage.days.length === 0 ? (
            <p className="admin-muted">No request was made with this key in that time.</p>
          ) : (
            <UsageTable usage={usage} />
          )}
        </>
      )}
    </section>
  );
}
