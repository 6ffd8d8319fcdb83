/**
 * Every limit and default of @skew/client, each with its unit at the end of
 * its name, checked against one another when the module loads. The node's
 * own limits (quorum sizes, key and value lengths, the longest quorum wait)
 * are the node's to enforce: the client checks types and signs, and the node
 * answers `INVALID_REQUEST` (and the like) for the rest, so the two never
 * disagree about a number.
 */
import { assert } from "@skew/env";

/**
 * How long the client waits for one node's answer, by default. Above the
 * node's default quorum wait (2 s), so that a slow quorum comes back as the
 * node's own `TIMEOUT`, which says whether anything was written, rather than
 * as a client timeout, which cannot.
 */
export const timeoutMsDefault = 5_000;

/** The longest wait a client accepts: a node's longest quorum wait is 60 s, ten minutes is past any honest answer. */
export const timeoutMsMax = 600_000;

/**
 * With a per-request `timeoutMs` (the coordinator's quorum wait), the client
 * waits this much longer for the answer, so that it hears the coordinator's
 * verdict (definite or not) instead of giving up at the same moment.
 */
export const answerMarginMs = 1_000;

/** Further nodes a call tries after a failure that allows a retry, by default: three attempts in all. */
export const retriesDefault = 2;

/** The most retries a client may ask for: retries are for a node being down, not for waiting out an outage. */
export const retriesMax = 10;

/** The backoff before the first retry, in ms; it doubles with every retry (with jitter) up to `retryBackoffMsMax`. */
export const retryBackoffMsBase = 20;
export const retryBackoffMsMax = 250;

/**
 * How long the client's own agent waits for a TCP (or TLS) connection, by
 * default. A connection that never opened carried no request, so this
 * failure is definite and a write moves on to the next node: kept well below
 * `timeoutMsDefault`, whose expiry, after the request may have left, is not.
 */
export const connectTimeoutMsDefault = 1_000;

/** An idle kept-alive connection is closed after this long (undici's default; a node keeps its side open 72 s). */
export const keepAliveTimeoutMs = 4_000;

/** Connections the client's own agent opens to one node, at most. */
export const connectionsPerNodeMax = 64;

assert(timeoutMsDefault > 0 && timeoutMsDefault <= timeoutMsMax, "the default wait must be an allowed wait");
assert(timeoutMsMax <= 2_147_483_647, "a wait must fit in a timer");
assert(retriesDefault >= 0 && retriesDefault <= retriesMax, "the default retries must be allowed");
assert(retryBackoffMsBase > 0 && retryBackoffMsBase <= retryBackoffMsMax, "the backoff must start below its cap");
assert(connectTimeoutMsDefault < timeoutMsDefault, "a connection must fail (definitely) before the request times out");
assert(answerMarginMs > 0, "the client must outwait the coordinator");
