import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { AwsCrc32c } from '@aws-crypto/crc32c';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';

/** The flexible checksums S3 supports, by their header suffix (`x-amz-checksum-<name>`). */
export const CHECKSUM_ALGORITHMS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export function isChecksumAlgorithm(name: string): name is ChecksumAlgorithm {
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(name);
}

/** The name S3 uses in XML and in `x-amz-checksum-algorithm`: `CRC32`, `CRC64NVME`, `SHA256`... */
export function checksumApiName(algorithm: ChecksumAlgorithm): string {
  return algorithm.toUpperCase();
}

/** The SDK-facing field name, e.g. `ChecksumCRC64NVME`. */
export function checksumFieldName(algorithm: ChecksumAlgorithm): string {
  return `Checksum${checksumApiName(algorithm)}`;
}

export interface Checksummer {
  update(chunk: Buffer): void;
  /** Base64 of the digest, as S3 sends it. */
  digest(): Promise<string>;
}

class Crc32Checksummer implements Checksummer {
  private value = 0;
  update(chunk: Buffer): void {
    this.value = crc32(chunk, this.value);
  }
  async digest(): Promise<string> {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(this.value >>> 0);
    return out.toString('base64');
  }
}

class NodeHashChecksummer implements Checksummer {
  private readonly hash: Hash;
  constructor(algorithm: 'sha1' | 'sha256') {
    this.hash = createHash(algorithm);
  }
  update(chunk: Buffer): void {
    this.hash.update(chunk);
  }
  async digest(): Promise<string> {
    return this.hash.digest('base64');
  }
}

class SdkChecksummer implements Checksummer {
  constructor(private readonly impl: { update(data: Uint8Array): void; digest(): Promise<Uint8Array> }) {}
  update(chunk: Buffer): void {
    this.impl.update(chunk);
  }
  async digest(): Promise<string> {
    return Buffer.from(await this.impl.digest()).toString('base64');
  }
}

export function createChecksummer(algorithm: ChecksumAlgorithm): Checksummer {
  switch (algorithm) {
    case 'crc32':
      return new Crc32Checksummer();
    case 'crc32c':
      return new SdkChecksummer(new AwsCrc32c());
    case 'crc64nvme':
      return new SdkChecksummer(new Crc64Nvme());
    case 'sha1':
    case 'sha256':
      return new NodeHashChecksummer(algorithm);
  }
}

/** Decoded size of a base64 checksum per algorithm, to reject malformed values as S3 does. */
const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = {
  crc32: 4,
  crc32c: 4,
  crc64nvme: 8,
  sha1: 20,
  sha256: 32,
};

export function isWellFormedChecksum(algorithm: ChecksumAlgorithm, value: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false;
  return Buffer.from(value, 'base64').length === DIGEST_BYTES[algorithm];
}
