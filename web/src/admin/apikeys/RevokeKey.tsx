import { useEffect, useRef, useState } from "react";
import type { ApiKeyRead } from "../../api/apiKeys";

export interface RevokeKeyProps {
  apiKey: ApiKeyRead;
  revoking: boolean;
  /** Resolves true when revoked. */
  onRevoke: () => Promise<boolean>;
}

/** Revoke after a confirmation: the key stops working everywhere at once, for good. */
export function RevokeKey({ apiKey, revoking, onRevoke }: RevokeKeyProps) {
  const [confirming, setConfirming] = useState(false);
  const keep = useRef<HTMLButtonElement>(null);
  // The safe choice takes the focus, so a second Enter does not revoke.
  useEffect(() => {
    if (confirming) keep.current?.focus();
  }, [confirming]);

  const revoke = async () => {
    if (await onRevoke()) setConfirming(false);
  };

  if (confirming) {
    return (
      <span className="admin-confirm" role="group" aria-label={`Confirm revoking ${apiKey.name}`}>
        <span>Revoke “{apiKey.name}”? Calls with it are refused at once, and it cannot be restored.</span>
        <button type="button" className="button button--danger" disabled={revoking} aria-busy={revoking} onClick={() => void revoke()}>
          Yes, revoke
        </button>
        <button ref={keep} type="button" className="button button--quiet" onClick={() => setConfirming(false)}>
          No, keep it
        </button>
      </span>
    );
  }
  return (
    <button type="button" className="button button--danger" disabled={revoking} onClick={() => setConfirming(true)}>
      Revoke <span className="visually-hidden">{apiKey.name}</span>
    </button>
  );
}
