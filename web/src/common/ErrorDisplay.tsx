import type { ApiError } from "../api/client";

export interface ErrorDisplayProps {
  error: ApiError | null | undefined;
  /** Shown as a Retry button, only when the error is retryable. */
  onRetry?: () => void;
  /** A line before the server's message, e.g. "Your drawing was not saved." */
  title?: string;
  retrying?: boolean;
}

function AlertIcon() {
  return (
    <svg className="error-display__icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path fill="currentColor" d="M12 2 1 21h22L12 2zm0 4.5L19.5 19h-15L12 6.5zM11 10v5h2v-5h-2zm0 6v2h2v-2h-2z" />
    </svg>
  );
}

/** A Retry-After wait as a person reads it: "5 s", "15 minutes", "2 hours" (rounded up, so
 * nobody is told to come back too soon). */
export function formatWait(seconds: number): string {
  const whole = Math.max(0, Math.ceil(seconds));
  if (whole <= 90) return `${whole} s`;
  const minutes = Math.ceil(whole / 60);
  if (minutes <= 90) return `${minutes} minutes`;
  return `${Math.ceil(minutes / 60)} hours`;
}

export function ErrorDisplay({ error, onRetry, title, retrying = false }: ErrorDisplayProps) {
  if (!error) return null;
  const showRetry = error.retryable && onRetry !== undefined;
  return (
    <div className="error-display" role="alert" aria-live="polite">
      <AlertIcon />
      <div className="error-display__body">
        {title && <p className="error-display__title">{title}</p>}
        <p className="error-display__message">{error.message}</p>
        {error.details.length > 1 && (
          <ul className="error-display__details">
            {error.details.map((detail) => (
              <li key={`${detail.field}:${detail.message}`}>
                <code>{detail.field}</code>: {detail.message}
              </li>
            ))}
          </ul>
        )}
        {error.retryable && error.retryAfter !== undefined && (
          <p className="error-display__hint">Try again in {formatWait(error.retryAfter)}.</p>
        )}
        {error.requestId && <p className="error-display__request">Request {error.requestId}</p>}
      </div>
      {showRetry && (
        <button type="button" className="button" onClick={onRetry} disabled={retrying}>
          Retry
        </button>
      )}
    </div>
  );
}
