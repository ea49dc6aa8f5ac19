import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, toApiError } from "../api/client";
import { fetchTerms, isStaleTerms, recordConsent, type Terms } from "../api/consent";
import { readAgreedTerms, rememberAgreedTerms } from "./session";

export interface UseConsentOptions {
  sessionId: string;
  /** After the agreement is recorded, e.g. to send a drawing the server refused without it. */
  onAgreed?: () => void;
  /** The requests; replaced in tests. */
  api?: { fetchTerms: typeof fetchTerms; recordConsent: typeof recordConsent };
}

export interface ConsentFailure {
  action: "load" | "agree";
  error: ApiError;
}

export interface ContributorConsent {
  /** The current terms, once fetched. */
  terms: Terms | null;
  /** Drawing waits for an agreement: the terms are shown, or on their way. */
  needed: boolean;
  /** The terms have not been answered for yet: whether to ask is not known. */
  checking: boolean;
  /** The terms are being fetched (again). */
  loading: boolean;
  agreeing: boolean;
  failure: ConsentFailure | null;
  /** Why the terms are shown again, when they changed since this browser agreed. */
  notice: string;
  agree: () => Promise<void>;
  /** The server refused a drawing for want of consent: ask again. */
  askAgain: (termsVersion?: string) => void;
  /** The server no longer holds the agreement (the contributor withdrew): ask before the next drawing. */
  forget: () => void;
  /** Fetch the terms again, after they could not be fetched. */
  reload: () => void;
}

export const TERMS_CHANGED = "The terms have changed since you agreed to them. Please read them again.";

const DEFAULT_API = { fetchTerms, recordConsent };

/** Fetching the terms again is always safe, whatever the failure was. */
function retryable(error: ApiError): ApiError {
  if (error.retryable) return error;
  const { status, code, message, details, retryAfter, requestId } = error;
  return new ApiError({ status, code, message, details, retryAfter, requestId, retryable: true });
}

/** The contributor's agreement to the terms. The version agreed to is remembered in this
 * browser, so the terms are shown on a first visit and again only when they change or the
 * server no longer knows of the agreement (a drawing refused with CONSENT_REQUIRED). */
export function useConsent({ sessionId, onAgreed, api = DEFAULT_API }: UseConsentOptions): ContributorConsent {
  const [terms, setTerms] = useState<Terms | null>(null);
  const [checking, setChecking] = useState(true);
  const [loading, setLoading] = useState(true);
  const [agreed, setAgreed] = useState<string | null>(readAgreedTerms);
  const [refused, setRefused] = useState(false);
  const [agreeing, setAgreeing] = useState(false);
  const [failure, setFailure] = useState<ConsentFailure | null>(null);
  const [notice, setNotice] = useState("");
  const controller = useRef<AbortController | null>(null);
  const busy = useRef(false);
  const agreedRef = useRef(agreed);
  agreedRef.current = agreed;
  const apiRef = useRef(api);
  apiRef.current = api;
  const onAgreedRef = useRef(onAgreed);
  onAgreedRef.current = onAgreed;

  const reload = useCallback(() => {
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    setFailure(null);
    setLoading(true);
    apiRef.current.fetchTerms(current.signal).then(
      (next) => {
        if (current.signal.aborted) return;
        setTerms(next);
        setChecking(false);
        setLoading(false);
      },
      (reason: unknown) => {
        if (current.signal.aborted) return;
        setFailure({ action: "load", error: retryable(toApiError(reason)) });
        setChecking(false);
        setLoading(false);
      },
    );
  }, []);

  useEffect(() => {
    reload();
    return () => controller.current?.abort();
  }, [reload]);

  const agree = useCallback(async () => {
    if (!terms || loading || busy.current) return;
    busy.current = true;
    setAgreeing(true);
    setFailure(null);
    try {
      await apiRef.current.recordConsent(sessionId, terms.version);
    } catch (reason) {
      const error = toApiError(reason);
      if (isStaleTerms(error)) {
        setNotice(TERMS_CHANGED);
        reload();
      } else {
        setFailure({ action: "agree", error });
      }
      return;
    } finally {
      busy.current = false;
      setAgreeing(false);
    }
    rememberAgreedTerms(terms.version);
    setAgreed(terms.version);
    setRefused(false);
    setNotice("");
    onAgreedRef.current?.();
  }, [terms, loading, sessionId, reload]);

  const askAgain = useCallback(
    (termsVersion?: string) => {
      const previous = agreedRef.current;
      if (previous !== null && termsVersion !== undefined && termsVersion !== previous) setNotice(TERMS_CHANGED);
      rememberAgreedTerms(null);
      setAgreed(null);
      setRefused(true);
      reload();
    },
    [reload],
  );

  const forget = useCallback(() => {
    rememberAgreedTerms(null);
    setAgreed(null);
  }, []);

  const needed = refused || (terms ? terms.required && terms.version !== agreed : agreed === null);
  return { terms, needed, checking, loading, agreeing, failure, notice, agree, askAgain, forget, reload };
}
