/**
 * The shared cluster secret, checked once when the node starts and then
 * held as a `KeyObject` inside an object that never prints it: config
 * objects end up in logs (pino serialises what it is given), and a secret
 * in a log is a secret given away.
 */
import { createHmac, createSecretKey, type Hmac, type KeyObject } from "node:crypto";
import { inspect } from "node:util";
import { err, hasLoneSurrogate, ok, type Result } from "@skew/env";
import { clusterSecretBytesMin } from "./constants.js";
import { PeerConfigError } from "./errors.js";

/** A cluster secret that passed `checkClusterSecret`. */
export class ClusterSecret {
  readonly #key: KeyObject;
  /** Its length, in bytes. */
  readonly bytes: number;

  /** Use `checkClusterSecret`: only it makes one. */
  private constructor(key: KeyObject, bytes: number) {
    this.#key = key;
    this.bytes = bytes;
  }

  /** `checkClusterSecret`, inside the class so that nothing else can call the constructor. */
  static check(secret: unknown): Result<ClusterSecret, PeerConfigError> {
    let bytes: Uint8Array;
    if (typeof secret === "string") {
      if (hasLoneSurrogate(secret)) return invalid("it holds a lone surrogate, which has no UTF-8 bytes");
      bytes = Buffer.from(secret, "utf8");
    } else if (secret instanceof Uint8Array) {
      bytes = Uint8Array.from(secret);
    } else {
      return invalid(`it must be a string or bytes, not ${secret === null ? "null" : typeof secret}`);
    }
    if (bytes.byteLength < clusterSecretBytesMin) {
      return invalid(`it is ${bytes.byteLength} bytes long; at least ${clusterSecretBytesMin} are required`);
    }
    const key = createSecretKey(bytes);
    bytes.fill(0); // the KeyObject holds its own copy; this one need not linger in the heap
    return ok(new ClusterSecret(key, bytes.byteLength));
  }

  /** A fresh HMAC-SHA256 keyed with the secret. */
  hmac(): Hmac {
    return createHmac("sha256", this.#key);
  }

  toString(): string {
    return "[ClusterSecret]";
  }

  toJSON(): string {
    return "[ClusterSecret]";
  }

  [inspect.custom](): string {
    return `ClusterSecret { ${this.bytes} bytes }`;
  }
}

/**
 * Checks a configured secret: a string (its UTF-8 bytes are the key, exactly
 * as given: a trailing newline read from a file is part of it, so strip it
 * where the secret is read) or bytes, at least `clusterSecretBytesMin` long.
 * `openssl rand -hex 32` makes a good one.
 */
export function checkClusterSecret(secret: unknown): Result<ClusterSecret, PeerConfigError> {
  return ClusterSecret.check(secret);
}

function invalid(detail: string): Result<never, PeerConfigError> {
  return err(new PeerConfigError("CLUSTER_SECRET_INVALID", detail));
}
