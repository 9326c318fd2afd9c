import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * API keys compared in constant time: both sides are hashed first, so neither the length nor the
 * content of a stored key leaks through timing. The keys themselves are never logged.
 */
export class ApiKeys {
  private readonly digests: Buffer[];

  constructor(keys: string[]) {
    this.digests = keys.map(digest);
  }

  /** The index of the matching key (a stable, loggable identity), or -1. */
  match(candidate: string | undefined): number {
    if (!candidate) return -1;
    const presented = digest(candidate);
    let found = -1;
    // Compare against every key, so the time does not depend on which one matched.
    this.digests.forEach((stored, index) => {
      if (timingSafeEqual(stored, presented) && found === -1) found = index;
    });
    return found;
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
