import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

type Schema = { [key: string]: any };

/** The upstream OpenAPI of the session endpoints (AgentScope v2.0.0), kept as a fixture (see test/fixtures/README.md). */
export const upstreamOpenApi: Schema = JSON.parse(
  readFileSync(new URL('../fixtures/agentscope-v2.0.0-sessions.openapi.json', import.meta.url), 'utf8'),
);

/**
 * Upstream declares few fields required and allows unknown keys, so a renamed or missing field would
 * still pass. The strict reading used here requires every declared property and rejects undeclared
 * ones (except where upstream itself allows extras, e.g. provider fields of thinking blocks), so any
 * drift from the upstream shapes fails. `optional` lists the `Schema.property`s this service may leave out.
 */
export function strictComponents(document: Schema, optional: string[] = []): Schema {
  const strict = structuredClone(document);
  for (const [name, schema] of Object.entries<Schema>(strict.components.schemas)) {
    if (schema.type !== 'object' || !schema.properties) continue;
    schema.required = Object.keys(schema.properties).filter((property) => !optional.includes(`${name}.${property}`));
    schema.additionalProperties ??= false;
  }
  return strict;
}

/** Validates values against the components of an OpenAPI 3.1 document with a JSON Schema 2020-12 validator. */
export function componentValidator(document: Schema) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(document, 'openapi');
  const compiled = new Map<string, ValidateFunction>();
  return (component: string, value: unknown): string[] => {
    let validate = compiled.get(component);
    if (!validate) {
      validate = ajv.getSchema(`openapi#/components/schemas/${component}`);
      if (!validate) throw new Error(`No component ${component}`);
      compiled.set(component, validate);
    }
    return validate(value)
      ? []
      : (validate.errors ?? []).map(
          (error) => `${error.instancePath || '/'} ${error.message} ${JSON.stringify(error.params)}`,
        );
  };
}

/** Upstream's shapes, read strictly; a cleared session name is left out (upstream has no null name). */
export const validateUpstream = componentValidator(
  strictComponents(upstreamOpenApi, ['SessionConfig.name', 'ValidationError.ctx']),
);
