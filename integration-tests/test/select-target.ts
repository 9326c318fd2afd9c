import { awsUnavailableReason, startAwsTarget } from '../src/aws-target.js';
import { startEmbeddedTarget } from '../src/embedded-target.js';
import { dockerUnavailableReason, startLocalStackTarget } from '../src/localstack-target.js';
import type { Target } from '../src/target.js';

/**
 * INTEGRATION_TARGET picks the target: `embedded` (default), `localstack` (testcontainers; needs Docker)
 * or `aws` (a deployed stack; needs credentials). A target that cannot run here yields the reason, which
 * the suite prints and skips on.
 */
export type Selection =
  | { target: Target; skipReason?: undefined }
  | { target?: undefined; skipReason: string };

export async function selectTarget(): Promise<Selection> {
  const name = process.env.INTEGRATION_TARGET ?? 'embedded';
  switch (name) {
    case 'embedded':
      return { target: await startEmbeddedTarget() };
    case 'localstack': {
      const reason = await dockerUnavailableReason();
      return reason ? { skipReason: reason } : { target: await startLocalStackTarget() };
    }
    case 'aws': {
      const reason = awsUnavailableReason();
      return reason ? { skipReason: reason } : { target: await startAwsTarget() };
    }
    default:
      throw new Error(`INTEGRATION_TARGET must be "embedded", "localstack" or "aws", got "${name}"`);
  }
}
