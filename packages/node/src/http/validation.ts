/**
 * Request validation: TypeBox's compiler, with one guard in front of it.
 * TypeBox converts query strings to their schema's type before checking
 * (`Value.Convert`), and converts generously: `r=1.5` becomes 1, `0x2` 2,
 * `true` 1, ` 2 ` 2. A quorum or a timeout must be exactly what the client
 * wrote, so a query (and header) value whose schema is an integer, a number
 * or a boolean must first be spelled as one, strictly; otherwise it is
 * refused (400 INVALID_REQUEST), never rounded.
 */
import { TypeBoxValidatorCompiler } from "@fastify/type-provider-typebox";
import type { FastifySchemaCompiler } from "fastify";

const spellings: Readonly<Record<string, RegExp>> = {
  integer: /^-?(0|[1-9][0-9]{0,15})$/,
  number: /^-?(0|[1-9][0-9]{0,15})(\.[0-9]{1,17})?$/,
  boolean: /^(true|false)$/,
};

interface ObjectSchema {
  readonly properties?: Readonly<Record<string, { readonly type?: unknown }>>;
}

export const strictValidatorCompiler: FastifySchemaCompiler<unknown> = (route) => {
  const compiled = (TypeBoxValidatorCompiler as FastifySchemaCompiler<unknown>)(route);
  if (route.httpPart !== "querystring" && route.httpPart !== "headers") return compiled;
  const typed = Object.entries((route.schema as ObjectSchema).properties ?? {}).flatMap(([name, property]) => {
    const spelling = typeof property.type === "string" ? spellings[property.type] : undefined;
    return spelling === undefined ? [] : [[name, property.type as string, spelling] as const];
  });
  return (value: unknown) => {
    const fields = (value ?? {}) as Record<string, unknown>;
    for (const [name, type, spelling] of typed) {
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
    }
    return compiled(value);
  };
};
