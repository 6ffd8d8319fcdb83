/** The two functions of @tpp/hybrid-logical-clock (it ships no types): one clock per module, strings out. */
declare module "@tpp/hybrid-logical-clock" {
  /** A timestamp for a local or send event, as `"<ms>:<counter>:<uuid>"`. */
  export function nxt(): string;
  /** A timestamp for receiving `remote`. */
  export function recv(remote: string): string;
}
