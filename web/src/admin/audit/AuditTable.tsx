import type { AuditEntry } from "../../api/admin";
import { Link } from "../../router/router";
import "./audit.css";
import { detailLines, subjectPath, subjectText } from "./auditText";

function AuditRow({ entry }: { entry: AuditEntry }) {
  const at = new Date(entry.createdAt);
  const path = subjectPath(entry);
  const subject = subjectText(entry);
  const details = detailLines(entry.details);
  return (
    <tr>
      <th scope="row">
        <time dateTime={entry.createdAt}>{at.toLocaleString()}</time>
      </th>
      <td>{entry.adminEmail}</td>
      <td>
        <code>{entry.action}</code>
      </td>
      <td>{path ? <Link to={path}>{subject}</Link> : subject || "—"}</td>
      <td className="audit-table__details">
        {details.length === 0 ? "—" : details.map((line) => <div key={line}>{line}</div>)}
      </td>
    </tr>
  );
}

/** One page of the log, newest first. */
export function AuditTable({ entries }: { entries: AuditEntry[] }) {
  return (
    <div className="admin-scroll">
      <table className="admin-table">
        <caption>Audit entries, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Subject</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <AuditRow key={entry.id} entry={entry} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
