import { App, CfnElement, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { OneTimeUploadStack } from '../lib/one-time-upload-stack.js';
import { readSettings } from '../lib/settings.js';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const BUCKET = `onetimeuploadstack-${ACCOUNT}-${REGION}`;
/** An ARN in the upload bucket as the template writes it: the partition stays a reference. */
export const bucketArn = (path = '') => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${BUCKET}${path}`]],
});

export interface Synthesized {
  app: App;
  stack: OneTimeUploadStack;
  template: Template;
}

/**
 * Synthesizes the stack as `cdk deploy -c key=value ...` would, in a fixed account and region so that
 * ARNs built from names are literal strings. Bundling is skipped (the tests read the template) unless
 * asked for.
 */
export function synth(context: Record<string, string> = {}, { bundle = false } = {}): Synthesized {
  const app = new App({
    context: { ...context, 'aws:cdk:bundling-stacks': bundle ? ['**'] : [] },
  });
  const stack = new OneTimeUploadStack(app, 'OneTimeUploadStack', {
    env: { account: ACCOUNT, region: REGION },
    settings: readSettings((key) => app.node.tryGetContext(key)),
  });
  return { app, stack, template: Template.fromStack(stack) };
}

/** The logical id of a construct's CloudFormation resource. */
export function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  const child = construct.node.defaultChild;
  if (!CfnElement.isCfnElement(child)) throw new Error('the construct has no CloudFormation resource');
  return stack.getLogicalId(child);
}

export interface Statement {
  Effect: string;
  Action: string[];
  Resource: unknown;
  Condition?: unknown;
}

/**
 * Every IAM statement that applies to a role: its inline policies, managed policies and the
 * AWS::IAM::Policy resources attached to it, with actions as sorted arrays.
 */
export function statementsOf(
  template: Template,
  roleId: string,
): { statements: Statement[]; managed: unknown[] } {
  const role = template.toJSON().Resources[roleId];
  if (!role) throw new Error(`no role ${roleId}`);
  const statements: Statement[] = [];
  const add = (list: Array<Record<string, unknown>>) => {
    for (const s of list) {
      const action = s.Action;
      statements.push({
        Effect: String(s.Effect),
        Action: (Array.isArray(action) ? action.map(String) : [String(action)]).sort(),
        Resource: s.Resource,
        ...(s.Condition ? { Condition: s.Condition } : {}),
      });
    }
  };
  for (const inline of role.Properties.Policies ?? []) add(inline.PolicyDocument.Statement);
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const roles: unknown[] = policy.Properties.Roles ?? [];
    if (roles.some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId }))) {
      add(policy.Properties.PolicyDocument.Statement);
    }
  }
  return { statements, managed: role.Properties.ManagedPolicyArns ?? [] };
}

/** Statements in a stable order, to compare sets of statements exactly. */
export function sorted(statements: Statement[]): Statement[] {
  return [...statements].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}
