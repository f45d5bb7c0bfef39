// A small zod (v3) → JSON Schema converter for the OpenAPI document: covers the schema kinds our
// routes use; anything else becomes an unconstrained schema rather than a wrong one.
import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

export function zodToJsonSchema(schema: z.ZodTypeAny): JsonSchema {
  const def = schema._def as { typeName: z.ZodFirstPartyTypeKind; description?: string };
  const out = convert(schema);
  return def.description ? { ...out, description: def.description } : out;
}

function convert(schema: z.ZodTypeAny): JsonSchema {
  const K = z.ZodFirstPartyTypeKind;
  if (schema instanceof z.ZodObject) {
    const shape = schema.shape as Record<string, z.ZodTypeAny>;
    const required = Object.entries(shape)
      .filter(([, s]) => !s.isOptional())
      .map(([k]) => k);
    const strict = (schema._def as { unknownKeys: string }).unknownKeys === 'strict';
    return {
      type: 'object',
      properties: Object.fromEntries(Object.entries(shape).map(([k, s]) => [k, zodToJsonSchema(s)])),
      ...(required.length ? { required } : {}),
      ...(strict ? { additionalProperties: false } : {}),
    };
  }
  if (schema instanceof z.ZodString) {
    const out: JsonSchema = { type: 'string' };
    for (const check of schema._def.checks) {
      if (check.kind === 'min') out.minLength = check.value;
      else if (check.kind === 'max') out.maxLength = check.value;
      else if (check.kind === 'length') out.minLength = out.maxLength = check.value;
      else if (check.kind === 'regex') out.pattern = check.regex.source;
      else if (check.kind === 'uuid' || check.kind === 'url' || check.kind === 'email' || check.kind === 'datetime') {
        out.format = check.kind === 'datetime' ? 'date-time' : check.kind === 'url' ? 'uri' : check.kind;
      }
    }
    return out;
  }
  if (schema instanceof z.ZodNumber) {
    const out: JsonSchema = { type: schema.isInt ? 'integer' : 'number' };
    for (const check of schema._def.checks) {
      if (check.kind === 'min') out[check.inclusive ? 'minimum' : 'exclusiveMinimum'] = check.value;
      else if (check.kind === 'max') out[check.inclusive ? 'maximum' : 'exclusiveMaximum'] = check.value;
    }
    return out;
  }
  switch ((schema._def as { typeName: z.ZodFirstPartyTypeKind }).typeName) {
    case K.ZodBoolean:
      return { type: 'boolean' };
    case K.ZodNull:
      return { type: 'null' };
    case K.ZodLiteral:
      return { const: (schema as z.ZodLiteral<unknown>).value };
    case K.ZodEnum:
      return { type: 'string', enum: [...(schema as z.ZodEnum<[string, ...string[]]>).options] };
    case K.ZodArray: {
      const a = schema as z.ZodArray<z.ZodTypeAny>;
      return {
        type: 'array',
        items: zodToJsonSchema(a.element),
        ...(a._def.minLength ? { minItems: a._def.minLength.value } : {}),
        ...(a._def.maxLength ? { maxItems: a._def.maxLength.value } : {}),
      };
    }
    case K.ZodOptional:
    case K.ZodDefault:
      return zodToJsonSchema((schema._def as { innerType: z.ZodTypeAny }).innerType);
    case K.ZodNullable:
      return { anyOf: [zodToJsonSchema((schema as z.ZodNullable<z.ZodTypeAny>).unwrap()), { type: 'null' }] };
    case K.ZodEffects:
      return zodToJsonSchema((schema as z.ZodEffects<z.ZodTypeAny>).innerType());
    case K.ZodUnion:
    case K.ZodDiscriminatedUnion:
      return { oneOf: [...(schema._def as { options: Iterable<z.ZodTypeAny> }).options].map(zodToJsonSchema) };
    case K.ZodRecord:
      return { type: 'object', additionalProperties: zodToJsonSchema((schema as z.ZodRecord).valueSchema) };
    default:
      return {};
  }
}
