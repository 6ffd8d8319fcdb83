/**
 * Argument checks shared by the public entry points. Public methods validate
 * and normalise (abstract-level's habit): a wrong type is a `TypeError`, a
 * number out of range a `RangeError`, and the message names the method, the
 * argument and the value. Private methods trust what these let through.
 */

export function checkFinite(where: string, what: string, value: unknown): asserts value is number {
  if (typeof value !== "number") throw new TypeError(`${where}: ${what} must be a number, got ${typeof value}`);
  if (!Number.isFinite(value)) throw new RangeError(`${where}: ${what} must be finite, got ${String(value)}`);
}

export function checkPositive(where: string, what: string, value: unknown): asserts value is number {
  checkFinite(where, what, value);
  if (!(value > 0)) throw new RangeError(`${where}: ${what} must be > 0, got ${value}`);
}

export function checkNonNegative(where: string, what: string, value: unknown): asserts value is number {
  checkFinite(where, what, value);
  if (!(value >= 0)) throw new RangeError(`${where}: ${what} must be >= 0, got ${value}`);
}

export function checkInteger(where: string, what: string, value: unknown, min: number, max: number): void {
  checkFinite(where, what, value);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${where}: ${what} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

/**
 * A reading of the monitor's monotonic clock: finite, and never earlier than
 * the last heartbeat. Arrival times are read on one monotonic clock, which
 * never goes back, so an earlier time means the caller passed another clock
 * (a wall clock, a peer's clock, a timestamp from the message): a bug, not
 * weather, and it is refused rather than silently ignored. `lastHeartbeatMs`
 * is NaN before the first heartbeat.
 */
export function checkTime(where: string, nowMs: unknown, lastHeartbeatMs: number): asserts nowMs is number {
  checkFinite(where, "nowMs", nowMs);
  // NaN (no heartbeat yet) compares false.
  if (nowMs < lastHeartbeatMs) {
    throw new RangeError(
      `${where}: nowMs ${nowMs} is earlier than the last heartbeat at ${lastHeartbeatMs}; pass readings of one monotonic clock`,
    );
  }
}

export function checkPeer(where: string, peer: unknown): asserts peer is string {
  if (typeof peer !== "string" || peer === "") {
    throw new TypeError(
      `${where}: peer must be a non-empty string, got ${typeof peer === "string" ? '""' : typeof peer}`,
    );
  }
}
