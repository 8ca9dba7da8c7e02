// Secrets never reach a log line or an error message: every outgoing string passes through here.

/** Replaces every occurrence of each secret (and any `token xxx` / `Bearer xxx` header value) with ***. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('***');
  }
  return out.replace(/\b(token|bearer)\s+[A-Za-z0-9_.-]{8,}/gi, '$1 ***');
}
