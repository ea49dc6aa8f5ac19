import { useId } from "react";
import type { ImportResult as Result } from "./useImport";

const plural = (count: number, one: string, many: string) => `${count.toLocaleString()} ${count === 1 ? one : many}`;

/** What an import made of the file: counts, then each refused line the server listed. */
export function ImportResult({ result }: { result: Result }) {
  const { summary, fileName } = result;
  const id = useId();
  return (
    <section aria-labelledby={id}>
      <h3 id={id}>Import result</h3>
      <p className="admin-notice" role="status">
        {fileName}: {plural(summary.imported, "drawing", "drawings")} imported, {plural(summary.duplicates, "duplicate", "duplicates")}{" "}
        skipped, {plural(summary.failed, "line", "lines")} refused.
      </p>
      <dl className="admin-tiles">
        <div className="admin-tile">
          <dt>Lines read</dt>
          <dd>{summary.lines.toLocaleString()}</dd>
        </div>
        <div className="admin-tile">
          <dt>Imported</dt>
          <dd>{summary.imported.toLocaleString()}</dd>
        </div>
        <div className="admin-tile">
          <dt>Duplicates</dt>
          <dd>{summary.duplicates.toLocaleString()}</dd>
        </div>
        <div className="admin-tile">
          <dt>Refused</dt>
          <dd>{summary.failed.toLocaleString()}</dd>
        </div>
      </dl>
      {summary.errors.length > 0 && (
        <div className="admin-scroll">
          <table className="admin-table">
            <caption>
              Refused lines
              {summary.failed > summary.errors.length && ` (the first ${summary.errors.length.toLocaleString()} of ${summary.failed.toLocaleString()})`}
            </caption>
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col">Field</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {summary.errors.map((error) => (
                <tr key={`${error.line}:${error.field}`}>
                  <th scope="row">{error.line}</th>
                  <td>
                    <code>{error.field}</code>
                  </td>
                  <td>{error.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
