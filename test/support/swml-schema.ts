import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';

/** SignalWire's SWML JSON Schema, given to us outside the repo (../shared/swml-schema). */
export const SWML_SCHEMA_PATH = fileURLToPath(new URL('../../../shared/swml-schema/schema.json', import.meta.url));

let validator: ValidateFunction | undefined;

/** Compiled once per test file (compiling takes most of a second). */
export function swmlValidator(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    validator = ajv.compile(JSON.parse(readFileSync(SWML_SCHEMA_PATH, 'utf8')) as object);
  }
  return validator;
}

/** Validate a whole SWML document; returns ajv's errors as readable strings (empty = valid). */
export function swmlErrors(document: unknown): string[] {
  const validate = swmlValidator();
  if (validate(document)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
