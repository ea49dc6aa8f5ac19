import { useCallback, useEffect, useRef, useState } from "react";
import { toApiError, type ApiError } from "../api/client";
import * as api from "../api/admin";

export type AdminAuthState =
  | { status: "checking" }
  | { status: "signedIn"; admin: api.AdminUser }
  | { status: "signedOut"; error?: ApiError };

export interface AdminAuth {
  state: AdminAuthState;
  /** True while a log-in request is in flight. */
  loggingIn: boolean;
  /** Resolves true when signed in; on failure the error is in `state`. */
  login: (email: string, password: string) => Promise<boolean>;
  logout: () => Promise<void>;
  checkSession: () => Promise<void>;
}

/** The admin's session: asked of the server on mount (the cookie is httpOnly, so only the
 * server knows), and dropped whenever an admin request answers 401. */
export function useAdminAuth(): AdminAuth {
  const [state, setState] = useState<AdminAuthState>({ status: "checking" });
  const [loggingIn, setLoggingIn] = useState(false);
  const mounted = useRef(true);

  const update = useCallback((next: AdminAuthState) => {
    if (mounted.current) setState(next);
  }, []);

  const checkSession = useCallback(async () => {
    try {
      const session = await api.fetchSession();
      update({ status: "signedIn", admin: session.admin });
    } catch (reason) {
      const error = toApiError(reason);
      // 401 is simply "not signed in"; anything else is worth showing.
      update({ status: "signedOut", error: error.status === 401 ? undefined : error });
    }
  }, [update]);

  const login = useCallback(
    async (email: string, password: string) => {
      setLoggingIn(true);
      try {
        const session = await api.login(email, password);
        update({ status: "signedIn", admin: session.admin });
        return true;
      } catch (reason) {
        update({ status: "signedOut", error: toApiError(reason) });
        return false;
      } finally {
        if (mounted.current) setLoggingIn(false);
      }
    },
    [update],
  );

  const logout = useCallback(async () => {
    try {
      await api.logout();
    } catch {
      // Signed out here either way; the server's session expires on its own.
    }
    update({ status: "signedOut" });
  }, [update]);

  useEffect(() => {
    mounted.current = true;
    void checkSession();
    const stop = api.onAdminUnauthorized(() => update({ status: "signedOut" }));
    return () => {
      mounted.current = false;
      stop();
    };
  }, [checkSession, update]);

  return { state, loggingIn, login, logout, checkSession };
}
