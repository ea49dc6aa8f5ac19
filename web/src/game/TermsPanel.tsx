import { useEffect, useId, useRef } from "react";
import type { Terms } from "../api/consent";
import { ErrorDisplay } from "../common/ErrorDisplay";
import type { ConsentFailure } from "./useConsent";

export interface TermsPanelProps {
  /** Null while the terms are on their way. */
  terms: Terms | null;
  /** The terms are being fetched (again): nothing to agree to yet. */
  loading: boolean;
  agreeing: boolean;
  failure: ConsentFailure | null;
  onAgree: () => void;
  onReload: () => void;
  /** Lines before the terms: why they are shown again. */
  notices?: string[];
  /** Take the focus when shown: the player was in the middle of something. */
  takeFocus?: boolean;
}

const paragraphs = (text: string) =>
  text
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean);

function LicenceLink({ terms }: { terms: Terms }) {
  return (
    <a href={terms.licenceUrl} target="_blank" rel="noreferrer">
      {terms.licence}
    </a>
  );
}

/** The terms' text, its first mention of the licence a link to the licence; a line of its own
 * names the licence when the text does not. */
function TermsText({ terms }: { terms: Terms }) {
  const parts = paragraphs(terms.text);
  const naming = parts.findIndex((paragraph) => paragraph.includes(terms.licence));
  return (
    <>
      {naming < 0 && (
        <p>
          Your drawings are published under <LicenceLink terms={terms} />.
        </p>
      )}
      {parts.map((paragraph, index) => {
        if (index !== naming) return <p key={index}>{paragraph}</p>;
        const at = paragraph.indexOf(terms.licence);
        return (
          <p key={index}>
            {paragraph.slice(0, at)}
            <LicenceLink terms={terms} />
            {paragraph.slice(at + terms.licence.length)}
          </p>
        );
      })}
    </>
  );
}

/** The terms a drawing is given under, in one short panel before the first drawing: the
 * licence, what is stored, how to withdraw; and "I agree". */
export function TermsPanel({ terms, loading, agreeing, failure, onAgree, onReload, notices = [], takeFocus = false }: TermsPanelProps) {
  const id = useId();
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (takeFocus) heading.current?.focus();
  }, [takeFocus]);

  return (
    <section className="terms" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="terms__title" ref={heading} tabIndex={-1}>
        Before you draw: the terms
      </h2>
      {notices.map((notice) => (
        <p key={notice} className="terms__notice">
          {notice}
        </p>
      ))}
      {terms ? (
        <>
          <TermsText terms={terms} />
          <div className="terms__actions">
            <button type="button" className="button button--primary" onClick={onAgree} disabled={agreeing || loading} aria-busy={agreeing}>
              I agree
            </button>
          </div>
        </>
      ) : (
        !failure && <p className="terms__loading">Loading the terms…</p>
      )}
      <ErrorDisplay
        error={failure?.error}
        onRetry={failure?.action === "load" ? onReload : undefined}
        title={failure?.action === "load" ? "The terms could not be loaded." : "Your agreement was not recorded."}
      />
    </section>
  );
}
