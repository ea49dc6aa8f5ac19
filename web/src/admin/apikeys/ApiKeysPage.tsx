import { ErrorDisplay } from "../../common/ErrorDisplay";
import { useSearch } from "../../router/router";
import { ApiKeyCreateForm } from "./ApiKeyCreateForm";
import { ApiKeyTable } from "./ApiKeyTable";
import { ApiKeyUsage } from "./ApiKeyUsage";
import { CreatedKey } from "./CreatedKey";
import { useApiKeys } from "./useApiKeys";
import "./apiKeys.css";

/** Implementors' API keys: make one (shown once), change its limits and origins, revoke it,
 * and see how it is used. */
export function ApiKeysPage() {
  const page = useApiKeys();
  const { keys } = page;
  // The key whose usage is open is in the URL, so a reload and Back show the same one.
  const chosen = new URLSearchParams(useSearch()).get("key") ?? undefined;
  const selected = keys?.find((key) => key.id === chosen);

  return (
    <section className="admin-section api-keys">
      <h1>API keys</h1>
      <p className="admin-muted">
        Apps send a key as <code>Authorization: Bearer csk_…</code> to classify. Whether inference needs one is the
        server's <code>CROWDSKETCH_INFERENCE_AUTH</code> (required, optional or off); a key that is sent is always checked,
        limited and counted.
      </p>
      {page.created && <CreatedKey created={page.created} onDone={page.dismissCreated} />}
      {page.notice && (
        <p className="admin-notice" role="status">
          {page.notice}
        </p>
      )}
      <ErrorDisplay error={page.actionError?.error} title={page.actionError?.title} />
      <ErrorDisplay error={page.error} onRetry={page.reload} title="The keys could not be loaded." />
      {!keys && !page.error && <p className="admin-muted">Loading…</p>}
      {keys && keys.length === 0 && <p>No key yet; make one below.</p>}
      {keys && keys.length > 0 && (
        <ApiKeyTable keys={keys} selectedId={selected?.id} busy={page.busy} onSave={page.update} onRevoke={page.revoke} />
      )}
      {keys && chosen && !selected && <p className="admin-hint admin-hint--warn">That key is not listed.</p>}
      {selected && <ApiKeyUsage apiKey={selected} />}
      <ApiKeyCreateForm creating={page.creating} error={page.createError} onCreate={page.create} />
    </section>
  );
}
