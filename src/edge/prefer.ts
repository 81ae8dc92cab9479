// `Prefer` request header (RFC 7240): only the `wait` preference matters to the edge.
// Several Prefer headers arrive joined with ", " by Node; the first `wait` wins (§2).

export interface WaitPreference {
  /** Seconds the client asked for. */
  requested: number;
  /** Seconds the edge will actually wait (capped), echoed as `Preference-Applied: wait=N`. */
  applied: number;
}

const WAIT = /^wait\s*=\s*(?:"(\d{1,9})"|(\d{1,9}))$/i;

export function parseWaitPreference(header: string | string[] | undefined, maxSeconds: number): WaitPreference | undefined {
  if (header === undefined) return undefined;
  const text = Array.isArray(header) ? header.join(',') : header;
  for (const preference of text.split(',')) {
    // Parameters after ';' belong to the preference; `wait` takes none, so ignore them.
    const head = (preference.split(';')[0] ?? '').trim();
    const m = WAIT.exec(head);
    if (!m) continue;
    const requested = Number(m[1] ?? m[2]);
    return { requested, applied: Math.min(requested, maxSeconds) };
  }
  return undefined;
}
