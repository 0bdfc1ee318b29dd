import { carriesPersonalData } from './personal-data.js';

/** What {@link zodIssuesMessage} reads of a zod error (classic and mini alike). */
interface ZodIssues {
  readonly issues: readonly { readonly code?: string; readonly path: readonly PropertyKey[]; readonly message: string }[];
}

/** A path segment we name in a message: an array index, or a key shaped like one of our field names. */
function isFieldName(segment: PropertyKey): boolean {
  if (typeof segment === 'number') return true;
  return typeof segment === 'string' && /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(segment) && !carriesPersonalData(segment);
}

/**
 * A zod error as one message: `path: message` per issue, joined by `; `. Paths and messages
 * only, never the offending values (they may be sensitive; zod's messages do not quote them),
 * and never a key the sender made up: zod's own text for unknown keys quotes them ("Unrecognized
 * key: \"ssn_078051120\""), so it becomes a fixed text, and a path through a key that is not
 * shaped like a field name (a record's key, say) is not spelled out.
 *
 * @param root what to call an issue with an empty path (the whole input), e.g. `body`
 * @param limit report at most this many issues
 */
export function zodIssuesMessage(error: ZodIssues, { root = '', limit }: { root?: string; limit?: number } = {}): string {
  return error.issues
    .slice(0, limit)
    .map((issue) => {
      const path = issue.path.every(isFieldName) ? issue.path.map(String).join('.') || root : 'a field';
      const message = issue.code === 'unrecognized_keys' ? 'unknown keys are not allowed' : issue.message;
      return `${path}: ${message}`;
    })
    .join('; ');
}
