import { Fragment, useEffect, useRef, useState } from "react";
import type { ApiKeyRead, ApiKeyUpdate } from "../../api/apiKeys";
import type { ApiError } from "../../api/client";
import { Link } from "../../router/router";
import { ApiKeyEditForm } from "./ApiKeyEditForm";
import { apiKeyUsagePath, editButtonId } from "./apiKeyLinks";
import { RevokeKey } from "./RevokeKey";

export interface ApiKeyTableProps {
  keys: ApiKeyRead[];
  /** The key whose usage is open. */
  selectedId: string | undefined;
  /** The key a change is on its way for. */
  busy: string | null;
  onSave: (key: ApiKeyRead, changes: ApiKeyUpdate) => Promise<ApiError | null>;
  onRevoke: (key: ApiKeyRead) => Promise<boolean>;
}

const COLUMNS = 9;

/** "60 a minute · 10,000 a month", or "None". */
export function limitsText(key: Pick<ApiKeyRead, "ratePerMinute" | "monthlyQuota">): string {
  const parts = [
    key.ratePerMinute !== null && `${key.ratePerMinute.toLocaleString()} a minute`,
    key.monthlyQuota !== null && `${key.monthlyQuota.toLocaleString()} a month`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(" · ") : "None";
}

function when(iso: string | null, never: string) {
  return iso ? <time dateTime={iso} title={new Date(iso).toLocaleString()}>{new Date(iso).toLocaleDateString()}</time> : never;
}

function Status({ apiKey }: { apiKey: ApiKeyRead }) {
  return apiKey.revokedAt ? (
    <span className="admin-badge admin-badge--stopped" title={`Revoked ${new Date(apiKey.revokedAt).toLocaleString()}`}>
      Revoked
    </span>
  ) : (
    <span className="admin-badge admin-badge--completed">Active</span>
  );
}

/** The keys, newest first: limits, origins, use this month, and what can be done with each. */
export function ApiKeyTable({ keys, selectedId, busy, onSave, onRevoke }: ApiKeyTableProps) {
  const [editing, setEditing] = useState<string | null>(null);
  // When a form closes the focus goes back to its Edit button, once that is enabled again.
  const returnFocus = useRef<string | null>(null);
  useEffect(() => {
    const button = returnFocus.current && document.getElementById(editButtonId(returnFocus.current));
    if (button instanceof HTMLButtonElement && !button.disabled) {
      button.focus();
      returnFocus.current = null;
    }
  });
  const close = (id: string) => {
    returnFocus.current = id;
    setEditing(null);
  };

  return (
    <div className="admin-scroll">
      <table className="admin-table api-key-table">
        <caption className="visually-hidden">API keys, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Prefix</th>
            <th scope="col">Limits</th>
            <th scope="col">Allowed origins</th>
            <th scope="col">Last used</th>
            <th scope="col">Requests this month</th>
            <th scope="col">Errors this month</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <Fragment key={key.id}>
              <tr className={key.id === selectedId ? "is-selected" : undefined} aria-current={key.id === selectedId ? "true" : undefined}>
                <th scope="row" className="api-key-table__name">
                  {key.name}
                </th>
                <td>
                  <code>{key.prefix}…</code>
                </td>
                <td>{limitsText(key)}</td>
                <td className="api-key-table__origins">
                  {key.allowedOrigins.length === 0 ? (
                    <span className="admin-muted">None</span>
                  ) : (
                    key.allowedOrigins.map((origin) => <div key={origin}>{origin}</div>)
                  )}
                </td>
                <td>{when(key.lastUsedAt, "Never")}</td>
                <td>{key.usageThisMonth.requests.toLocaleString()}</td>
                <td>{key.usageThisMonth.errors.toLocaleString()}</td>
                <td>
                  <Status apiKey={key} />
                </td>
                <td>
                  <div className="api-key-table__actions">
                    <Link to={apiKeyUsagePath(key.id)} aria-current={key.id === selectedId ? "true" : undefined}>
                      Usage <span className="visually-hidden">of {key.name}</span>
                    </Link>
                    {!key.revokedAt && (
                      <>
                        <button
                          id={editButtonId(key.id)}
                          type="button"
                          className="button button--quiet"
                          aria-expanded={editing === key.id}
                          disabled={busy === key.id}
                          onClick={() => setEditing(editing === key.id ? null : key.id)}
                        >
                          Edit <span className="visually-hidden">{key.name}</span>
                        </button>
                        <RevokeKey apiKey={key} revoking={busy === key.id} onRevoke={() => onRevoke(key)} />
                      </>
                    )}
                  </div>
                </td>
              </tr>
              {editing === key.id && !key.revokedAt && (
                <tr className="api-key-table__edit">
                  <td colSpan={COLUMNS}>
                    <ApiKeyEditForm apiKey={key} onSave={(changes) => onSave(key, changes)} onClose={() => close(key.id)} />
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}
