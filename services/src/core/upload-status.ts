import type { ClaimStore, UploadMethod } from './claims.js';
import { UnknownUploadError } from './errors.js';
import { isUploadId } from './upload-key.js';

/** What `GET /uploads/{id}` answers. */
export interface UploadStatus {
  id: string;
  key: string;
  status: 'issued' | 'accepted' | 'expired';
  method: UploadMethod;
  expiresAt: string;
  acceptedKey?: string;
  acceptedAt?: string;
  duplicateAttempts: number;
}

export async function getUploadStatus(
  deps: { claims: ClaimStore; now: () => Date },
  id: string,
): Promise<UploadStatus> {
  if (!isUploadId(id)) throw new UnknownUploadError(`no upload ${id}`);
  const claim = await deps.claims.get(id);
  if (!claim) throw new UnknownUploadError(`no upload ${id}`);
  // "expired": the URL can no longer be used and no upload was accepted. An upload that started in time
  // may still arrive and be accepted later; the status then says so.
  const expired = claim.status !== 'accepted' && deps.now().getTime() > Date.parse(claim.expiresAt);
  return {
    id: claim.id,
    key: claim.key,
    status: claim.status === 'accepted' ? 'accepted' : expired ? 'expired' : 'issued',
    method: claim.method,
    expiresAt: claim.expiresAt,
    ...(claim.acceptedKey ? { acceptedKey: claim.acceptedKey } : {}),
    ...(claim.acceptedAt ? { acceptedAt: claim.acceptedAt } : {}),
    duplicateAttempts: claim.duplicateAttempts ?? 0,
  };
}
