import type { AwsClients } from '@one-time-upload/services';

/**
 * Fault injection for targets whose handlers run in this process: `arm()` makes the next CopyObject to
 * `accepted/` fail once, as if the handler had died after consuming the claim.
 */
export function copyFault() {
  let armed = false;
  let failed = false;
  return {
    wrapClients(clients: AwsClients): AwsClients {
      clients.s3.middlewareStack.add(
        (next, context) => async (args) => {
          if (armed && context.commandName === 'CopyObjectCommand') {
            armed = false;
            failed = true;
            throw new Error('injected fault: the handler died before the copy');
          }
          return next(args);
        },
        { step: 'initialize', name: 'faultInjection' },
      );
      return clients;
    },
    arm(): { failed: () => boolean } {
      armed = true;
      failed = false;
      return { failed: () => failed };
    },
  };
}
