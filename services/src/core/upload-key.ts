import { randomBytes } from 'node:crypto';

/**
 * Upload keys: `uploads/UploadFilename-YYYYMMDD_HHMMSS-<id>`. The time (UTC) helps operators; the id is
 * 22 characters from a CSPRNG (about 131 bits) and is also the claim's identity, so a key names its claim.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const ID_LENGTH = 22;
const ID_PATTERN = /^[A-Za-z0-9]{16,64}$/;

export function newUploadId(random: (size: number) => Buffer = randomBytes): string {
  let id = '';
  while (id.length < ID_LENGTH) {
    for (const byte of random(32)) {
      // Rejection sampling keeps every character equally likely (248 = 4 × 62).
      if (byte < 248 && id.length < ID_LENGTH) id += ALPHABET[byte % 62];
    }
  }
  return id;
}

export function isUploadId(value: string): boolean {
  return ID_PATTERN.test(value);
}

function stamp(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}_${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

export function uploadKey(prefix: string, id: string, at: Date): string {
  return `${prefix}UploadFilename-${stamp(at)}-${id}`;
}

/** The id at the end of an upload key, or undefined when the key is not one of ours. */
export function idFromKey(prefix: string, key: string): string | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const match = key.slice(prefix.length).match(/^UploadFilename-\d{8}_\d{6}-([A-Za-z0-9]+)$/);
  const id = match?.[1];
  return id && isUploadId(id) ? id : undefined;
}

/** `uploads/<name>` → `accepted/<name>`. */
export function acceptedKeyFor(uploadsPrefix: string, acceptedPrefix: string, key: string): string {
  return `${acceptedPrefix}${key.slice(uploadsPrefix.length)}`;
}
