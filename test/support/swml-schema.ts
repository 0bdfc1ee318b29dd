import Ajv2020 from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';
import addFormats from 'ajv-formats';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';

/** SignalWire's SWML JSON Schema, vendored in the repository (provenance: test/fixtures/README.md). */
const SCHEMA_URL = new URL('../fixtures/swml-schema.json', import.meta.url);

/**
 * ajv's compiled validators as a module, keyed by the schema's and ajv's bytes: loading it takes
 * a tenth of compiling the schema, which every test file that validates SWML would otherwise do.
 * Under node_modules so the module's own `require('ajv/...')` calls resolve.
 */
const CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/recording-agent/', import.meta.url));

interface SwmlValidators {
  document: ValidateFunction;
  action: ValidateFunction;
}

let validators: SwmlValidators | undefined;

function compileValidators(schemaText: string): { validators: SwmlValidators; code: string } {
  const ajv = new Ajv2020({ strict: false, allErrors: true, code: { source: true } });
  addFormats(ajv);
  const schema = JSON.parse(schemaText) as { $id: string };
  ajv.addSchema(schema);
  const document = ajv.getSchema(schema.$id);
  const action = ajv.getSchema(`${schema.$id}#/$defs/Action`);
  if (!document || !action) throw new Error('the SWML schema lacks its root or $defs/Action');
  return {
    validators: { document, action },
    code: standaloneCode(ajv, { document: schema.$id, action: `${schema.$id}#/$defs/Action` }),
  };
}

/** Whole documents and single SWAIG actions: loaded from the cache, else compiled (seconds) and cached. */
function swmlValidators(): SwmlValidators {
  if (!validators) {
    const schemaText = readFileSync(SCHEMA_URL, 'utf8');
    const ajvVersion = (createRequire(import.meta.url)('ajv/package.json') as { version: string }).version;
    const key = createHash('sha256').update(`${ajvVersion}\n${schemaText}`).digest('hex').slice(0, 16);
    const cached = `${CACHE_DIR}swml-validators-${key}.cjs`;
    try {
      validators = createRequire(import.meta.url)(cached) as SwmlValidators;
    } catch {
      const compiled = compileValidators(schemaText);
      validators = compiled.validators;
      // Write then rename: a parallel worker never loads a half-written file.
      mkdirSync(CACHE_DIR, { recursive: true });
      const partial = `${cached}.${process.pid}.tmp`;
      writeFileSync(partial, compiled.code);
      renameSync(partial, cached);
    }
  }
  return validators;
}

const readable = (validate: ValidateFunction): string[] =>
  (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`);

/** Validate a whole SWML document; returns ajv's errors as readable strings (empty = valid). */
export function swmlErrors(document: unknown): string[] {
  const { document: validate } = swmlValidators();
  return validate(document) ? [] : readable(validate);
}

/** Validate one SWAIG action against the schema's own `$defs/Action` (empty = valid). */
export function swaigActionErrors(action: unknown): string[] {
  const { action: validate } = swmlValidators();
  return validate(action) ? [] : readable(validate);
}
