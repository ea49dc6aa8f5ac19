// The contributor's session id: a random UUID kept in localStorage so stats follow the
// player across visits. It is an anonymous label, not a secret.
const STORAGE_KEY = "crowdsketch.sessionId";
const VALID = /^[A-Za-z0-9_-]{1,64}$/;

function randomUuid(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  // randomUUID needs a secure context; a phone on the LAN over http has only getRandomValues.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function getSessionId(): string {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored && VALID.test(stored)) return stored;
    const id = randomUuid();
    localStorage.setItem(STORAGE_KEY, id);
    return id;
  } catch {
    // Storage refused (private mode): a session for this page load only.
    return randomUuid();
  }
}

export function idempotencyKey(sessionId: string, shapeId: string, timestamp: number): string {
  return `${sessionId}:${shapeId}:${timestamp}`;
}

// The terms version this browser agreed to, so the terms are not shown on every visit. The
// server holds the agreement itself; a refused drawing brings the terms back.
const TERMS_KEY = "crowdsketch.termsVersion";

export function readAgreedTerms(): string | null {
  try {
    return localStorage.getItem(TERMS_KEY);
  } catch {
    return null;
  }
}

export function rememberAgreedTerms(version: string | null): void {
  try {
    if (version === null) localStorage.removeItem(TERMS_KEY);
    else localStorage.setItem(TERMS_KEY, version);
  } catch {
    // Storage refused: the terms are shown again on the next visit.
  }
}
