import { startEmbeddedTarget } from '../src/embedded-target.js';
import type { Target } from '../src/target.js';

/** INTEGRATION_TARGET picks the target: `embedded` (default). */
export async function selectTarget(): Promise<Target> {
  const name = process.env.INTEGRATION_TARGET ?? 'embedded';
  switch (name) {
    case 'embedded':
      return startEmbeddedTarget();
    default:
      throw new Error(`INTEGRATION_TARGET must be "embedded", got "${name}"`);
  }
}
