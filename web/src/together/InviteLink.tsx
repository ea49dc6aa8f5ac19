import { useId, useRef, useState } from "react";

export interface InviteLinkProps {
  /** The room's page, e.g. "/together/k3j9". */
  path: string;
  /** How many people the room holds. */
  limit: number;
}

/** The room's link to send to friends, with a button that copies it. */
export function InviteLink({ path, limit }: InviteLinkProps) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<"" | "done" | "failed">("");
  const url = `${window.location.origin}${path}`;

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied("done");
    } catch {
      // No clipboard (an insecure context, a refusal): the link is selected to copy by hand.
      input.current?.select();
      setCopied("failed");
    }
  };

  return (
    <section className="together__invite" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="together__invite-title">
        Invite friends
      </h2>
      <div className="together__invite-row">
        <label htmlFor={`${id}-link`} className="together__invite-label">
          Room link
        </label>
        <input
          id={`${id}-link`}
          ref={input}
          className="together__link"
          readOnly
          value={url}
          onFocus={(event) => event.currentTarget.select()}
        />
        <button type="button" className="button" onClick={() => void copy()}>
          Copy link
        </button>
      </div>
      <p className="hint" aria-live="polite">
        {copied === "done" ? "Link copied. " : copied === "failed" ? "Select the link and copy it. " : ""}
        Up to {limit} people can draw in this room.
      </p>
    </section>
  );
}
