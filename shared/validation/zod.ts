/**
 * The zod every Lambda bundle uses: the functional `zod/mini` API (same core, same parsing, same
 * issues as classic zod) because it tree-shakes, where classic zod's chainable methods drag the
 * whole library (~100 KB minified) into each function and cost milliseconds of cold start.
 *
 * Import it as `import * as z from '#shared/validation/zod.js'` and write `z.string().check(z.minLength(1))`
 * where classic would say `z.string().min(1)`, `z.optional(s)` for `s.optional()`, and
 * `z.pipe(s, z.transform(f))` for `s.transform(f)`.
 *
 * Classic zod registers its English messages on first use; mini does not, and its issues would
 * all read "Invalid input". Registering the same locale here keeps every error message (config
 * errors, 400 answers) word for word what classic zod produced. Tooling outside the bundles
 * (infra/local, the CDK app) may keep classic zod.
 *
 * `jitless`: no object parser generated with `new Function` (nor the probe for it) on an object
 * schema's first parse. A Lambda's first request parses each schema once, where generating
 * and compiling that parser costs more than it saves (about 6M instructions on the payment
 * connector's first request, under valgrind); warm parses of our small bodies stay microseconds.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config({ ...en(), jitless: true });

export * from 'zod/mini';
