import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import type { ValidateFunction } from 'ajv';

/** SignalWire's SWML JSON Schema, vendored in the repository (provenance: test/fixtures/README.md). */
const SCHEMA_URL = new URL('../fixtures/swml-schema.json', import.meta.url);

interface SwmlValidators {
  document: ValidateFunction;
  action: ValidateFunction;
}

let validators: SwmlValidators | undefined;

/** Compiled once per test file (compiling takes most of a second): whole documents and single SWAIG actions. */
function swmlValidators(): SwmlValidators {
  if (!validators) {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as { $id: string };
    ajv.addSchema(schema);
    const document = ajv.getSchema(schema.$id);
    const action = ajv.getSchema(`${schema.$id}#/$defs/Action`);
    if (!document || !action) throw new Error('the SWML schema lacks its root or $defs/Action');
    validators = { document, action };
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
