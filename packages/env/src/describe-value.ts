/**
 * A value as an error message shows it, for any value a caller may pass.
 * `String(value)` and template literals run the value's own code
 * (`Symbol.toPrimitive`, `toString`, `valueOf`) and throw on a symbol, on an
 * object whose conversions throw or are not functions, on a null-prototype
 * object: a caller who made a mistake would then get "Cannot convert object
 * to primitive value" from inside the library instead of its message naming
 * the argument. So this reads only what the language answers without calling
 * into the value: `typeof`, and whether an object is an array.
 */

/** How many characters of a string a message quotes before it cuts it with "...". */
const describedCharsMax = 40;

/** `1.5`, `NaN`, `"text"`, `12n`, `true`, `null`, `undefined`, `a symbol`, `a function`, `an array`, `an object`. */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case "number":
    case "boolean":
    case "undefined":
      return String(value);
    case "bigint":
      return `${String(value)}n`;
    case "string":
      return value.length > describedCharsMax
        ? `${JSON.stringify(value.slice(0, describedCharsMax))}...`
        : JSON.stringify(value);
    case "symbol":
      return "a symbol";
    case "function":
      return "a function";
    case "object":
      return value === null ? "null" : isArray(value) ? "an array" : "an object";
  }
  return typeof value; // none left: typeof has no other answer
}

/** `Array.isArray` throws on a revoked Proxy; an object it cannot look into is just an object. */
function isArray(value: object): boolean {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}
