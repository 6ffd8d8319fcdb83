/**
 * A small NTP-style client (RFC 5905's on-wire protocol and clock select, in
 * miniature), for the chapter's "weak forms of lying" (4.4): "NTP clients
 * can be configured with multiple server addresses. When synchronizing, the
 * client contacts all of them and checks that a majority agree on some time
 * range, detecting misconfigured outliers."
 *
 * One exchange gives four timestamps: t1 the client's clock when the request
 * left, t2 the server's when it arrived, t3 the server's when the answer
 * left, t4 the client's when it arrived. With d1 and d2 the two one-way
 * delays and theta the true offset (server clock minus client clock),
 * t2 = t1 + d1 + theta and t4 = t3 + d2 - theta, so
 *
 *   offset = ((t2 - t1) + (t3 - t4)) / 2 = theta + (d1 - d2) / 2
 *   delay  = (t4 - t1) - (t3 - t2)      = d1 + d2
 *
 * and since |d1 - d2| <= d1 + d2, theta lies within offset +- delay / 2
 * whatever the asymmetry of the path: the exchange's correctness interval,
 * widened by the error the server claims for its own clock.
 *
 * Selection intersects the intervals: the offsets a majority of the
 * servers' intervals agree on (Marzullo's algorithm, NTP's intersection
 * algorithm). A server whose interval holds none of them is outvoted. The
 * intersection itself is @skew/truetime's `findAgreement`, the project's one
 * implementation of it, which TrueTime's sync uses for the same purpose.
 */
import { findAgreement } from "@skew/truetime";

/** The four timestamps of one exchange, each in ms on the clock that read it. */
export interface NtpExchange {
  readonly t1: number;
  readonly t2: number;
  readonly t3: number;
  readonly t4: number;
}

/** What one exchange says about the client's clock. */
export interface NtpSample {
  readonly server: string;
  /** Add this to the client's clock to get the server's, as measured. */
  readonly offsetMs: number;
  /** The round trip, less the server's own time: d1 + d2. */
  readonly delayMs: number;
  /** The interval that holds the offset to true time, if the server's clock is within its claimed error. */
  readonly lowMs: number;
  readonly highMs: number;
}

export function sampleOf(server: string, exchange: NtpExchange, serverErrorMs: number): NtpSample {
  const { t1, t2, t3, t4 } = exchange;
  if (![t1, t2, t3, t4, serverErrorMs].every(Number.isFinite))
    throw new RangeError("sampleOf: timestamps must be finite");
  if (t4 < t1 || t3 < t2) throw new RangeError("sampleOf: an answer cannot leave before its request arrived");
  if (serverErrorMs < 0) throw new RangeError(`sampleOf: serverErrorMs must be >= 0, got ${serverErrorMs}`);
  const offsetMs = (t2 - t1 + (t3 - t4)) / 2;
  const delayMs = t4 - t1 - (t3 - t2);
  const halfWidthMs = delayMs / 2 + serverErrorMs;
  return { server, offsetMs, delayMs, lowMs: offsetMs - halfWidthMs, highMs: offsetMs + halfWidthMs };
}

export type Selection =
  | {
      readonly ok: true;
      /** The middle of the interval the majority agrees on: the correction to apply. */
      readonly offsetMs: number;
      readonly lowMs: number;
      readonly highMs: number;
      readonly agreeing: readonly string[];
      readonly outvoted: readonly string[];
    }
  | { readonly ok: false; readonly largestAgreement: number; readonly quorum: number };

/** The offset a strict majority of `serversAsked` agree on (servers that did not answer count against it). */
export function selectOffset(samples: readonly NtpSample[], serversAsked: number = samples.length): Selection {
  const quorum = Math.floor(serversAsked / 2) + 1;
  if (samples.length < quorum) return { ok: false, largestAgreement: samples.length, quorum };
  const result = findAgreement(
    samples.map((sample) => ({ earliest: sample.lowMs, latest: sample.highMs })),
    quorum,
  );
  if (!result.ok) return { ok: false, largestAgreement: result.error.largestAgreement, quorum };
  const { interval, agreeing, outvoted } = result.value;
  const name = (index: number) => samples[index]?.server ?? "?";
  return {
    ok: true,
    offsetMs: (interval.earliest + interval.latest) / 2,
    lowMs: interval.earliest,
    highMs: interval.latest,
    agreeing: agreeing.map(name),
    outvoted: outvoted.map(name),
  };
}
