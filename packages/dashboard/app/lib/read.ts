/** A value's bytes as text: UTF-8, or undefined when they are not valid UTF-8 (shown as a byte count instead). */
export function valueText(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
