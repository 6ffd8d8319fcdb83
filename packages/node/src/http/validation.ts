/**
 * Request validation: TypeBox's compiled checks, with our own conversion of
 * query strings and headers in front of them.
 *
 * Why not TypeBox's `Value.Convert` (what the fastify type provider does).
 * It converts generously: `r=1.5` becomes 1, `0x2` 2, `true` 1, ` 2 ` 2. A
 * quorum or a timeout must be exactly what the client wrote, so a query (or
 * header) value whose schema is an integer, a number or a boolean must be
 * spelled as one, strictly, or it is refused (400 INVALID_REQUEST), never
 * rounded. Once it is spelled strictly its conversion is one `Number()`, and
 * `Value.Convert`'s walk over the schema (the third most expensive step of a
 * put, measured in the node benchmark's profile) is not needed. Bodies are
 * checked as they are (JSON has types); route parameters are strings.
 */
import type { FastifySchemaCompiler, FastifySchemaValidationError } from "fastify";
import { Compile } from "typebox/compile";

const spellings: Readonly<Record<string, RegExp>> = {
  integer: /^-?(0|[1-9][0-9]{0,15})$/,
  number: /^-?(0|[1-9][0-9]{0,15})(\.[0-9]{1,17})?$/,
  boolean: /^(true|false)$/,
};

interface PropertySchema {
  readonly type?: unknown;
}

interface ObjectSchema {
  readonly properties?: Readonly<Record<string, PropertySchema>>;
}

interface TypedField {
  readonly name: string;
  readonly type: "integer" | "number" | "boolean";
  readonly spelling: RegExp;
}

type Outcome = { value: unknown } | { error: FastifySchemaValidationError[] };

export const strictValidatorCompiler: FastifySchemaCompiler<unknown> = (route) => {
  const check = Compile(route.schema as Parameters<typeof Compile>[0]);
  const verdict = (value: unknown): Outcome =>
    check.Check(value) ? { value } : { error: [...check.Errors(value)] as FastifySchemaValidationError[] };
  if (route.httpPart !== "querystring" && route.httpPart !== "headers") return verdict;
  const properties = Object.entries((route.schema as ObjectSchema).properties ?? {});
  const typed: TypedField[] = [];
  for (const [name, property] of properties) {
    const type = property.type;
    if (type === "integer" || type === "number" || type === "boolean") {
      typed.push({ name, type, spelling: spellings[type] as RegExp });
    } else if (type !== "string" && !("const" in property)) {
      // A shape this conversion does not know (a union, an array): refuse to guess at build time.
      throw new TypeError(
        `strictValidatorCompiler: ${route.url} ${route.httpPart}.${name} must be a string, integer, number, boolean or literal`,
      );
    }
  }
  if (typed.length === 0) return verdict;
  return (value: unknown) => {
    const fields = (value ?? {}) as Record<string, unknown>;
    let converted: Record<string, unknown> | undefined;
    for (const { name, type, spelling } of typed) {
      const given = fields[name];
      if (given === undefined) continue;
      if (typeof given !== "string" || !spelling.test(given)) {
        return {
          error: [
            {
              keyword: "type",
              instancePath: `/${name}`,
              schemaPath: `#/properties/${name}/type`,
              params: { type },
              message: `must be ${type === "integer" ? "an integer" : `a ${type}`}, written as one`,
            },
          ],
        };
      }
      converted ??= { ...fields };
      converted[name] = type === "boolean" ? given === "true" : Number(given);
    }
    return verdict(converted ?? fields);
  };
};
