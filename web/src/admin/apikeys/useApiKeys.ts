import { useCallback, useState } from "react";
import {
  createApiKey,
  listApiKeys,
  revokeApiKey,
  updateApiKey,
  type ApiKeyCreate,
  type ApiKeyCreated,
  type ApiKeyRead,
  type ApiKeyUpdate,
} from "../../api/apiKeys";
import { toApiError, type ApiError } from "../../api/client";
import { useAdminAction } from "../useAdminAction";
import { useApiResource } from "../useApiResource";

/** What went wrong with a change to one key, for an ErrorDisplay above the table. */
export interface ApiKeyActionError {
  title: string;
  error: ApiError;
}

/** The keys, and what an admin does with them. After each change the list is read again, so
 * its counts and times are the server's. */
export function useApiKeys() {
  const load = useCallback((signal: AbortSignal) => listApiKeys(signal), []);
  const resource = useApiResource(load);
  const { run: runCreate, running: creating, error: createError } = useAdminAction();
  /** The key just made, with its secret: shown until dismissed, never fetched again. */
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<ApiKeyActionError | null>(null);

  const start = (id: string | null) => {
    setBusy(id);
    setNotice(null);
    setActionError(null);
  };

  /** True when the key was made; the form is emptied then. */
  const create = (request: ApiKeyCreate): Promise<boolean> => {
    start(null);
    return runCreate(async () => {
      setCreated(await createApiKey(request));
      resource.reload();
    });
  };

  /** Null when saved; otherwise why not, for the edit form. */
  const update = async (key: ApiKeyRead, changes: ApiKeyUpdate): Promise<ApiError | null> => {
    start(key.id);
    try {
      const saved = await updateApiKey(key.id, changes);
      setNotice(`“${saved.name}” saved: every server follows at once.`);
      resource.reload();
      return null;
    } catch (reason) {
      return toApiError(reason);
    } finally {
      setBusy(null);
    }
  };

  /** True when revoked. */
  const revoke = async (key: ApiKeyRead): Promise<boolean> => {
    start(key.id);
    try {
      await revokeApiKey(key.id);
      setNotice(`“${key.name}” is revoked: calls with it are refused from now on.`);
      resource.reload();
      return true;
    } catch (reason) {
      setActionError({ title: `“${key.name}” was not revoked.`, error: toApiError(reason) });
      return false;
    } finally {
      setBusy(null);
    }
  };

  return {
    keys: resource.data,
    error: resource.error,
    reload: resource.reload,
    creating,
    createError,
    create,
    created,
    dismissCreated: () => setCreated(null),
    update,
    revoke,
    busy,
    notice,
    actionError,
  };
}
