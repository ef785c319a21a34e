import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

/** The published OSCAL 1.0.6 assessment-results JSON schema (test/fixtures/oscal), compiled. */
export function oscalValidator() {
  const schema = JSON.parse(
    readFileSync(join(__dirname, '../fixtures/oscal/oscal_assessment-results_schema-1.0.6.json'), 'utf8'),
  );
  const ajv = new Ajv({ allErrors: true, unicodeRegExp: true });
  addFormats(ajv);
  return ajv.compile(schema);
}
