/** What {@link zodIssuesMessage} reads of a zod error (classic and mini alike). */
interface ZodIssues {
  readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[];
}

/**
 * A zod error as one message: `path: message` per issue, joined by `; `. Paths and messages
 * only, never the offending values (they may be sensitive; zod's messages do not quote them).
 *
 * @param root what to call an issue with an empty path (the whole input), e.g. `body`
 * @param limit report at most this many issues
 */
export function zodIssuesMessage(error: ZodIssues, { root = '', limit }: { root?: string; limit?: number } = {}): string {
  return error.issues
    .slice(0, limit)
    .map((issue) => `${issue.path.join('.') || root}: ${issue.message}`)
    .join('; ');
}
