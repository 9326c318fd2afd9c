import { describe, expect, it } from 'vitest';
import {
  bucketArn,
  logicalId,
  REGION,
  type Statement,
  type Synthesized,
  sorted,
  statementsOf,
  synth,
} from './synth.js';

const arn = bucketArn;

function permissionsOf(
  { stack, template }: Synthesized,
  name: keyof Synthesized['stack']['functions'],
): Statement[] {
  const fn = stack.functions[name];
  const roleId = logicalId(stack, fn.role);
  const { statements, managed } = statementsOf(template, roleId);
  expect(managed).toEqual([]);
  return sorted(statements);
}

function baseline({ stack }: Synthesized, name: keyof Synthesized['stack']['functions']): Statement[] {
  const logGroup = logicalId(stack, stack.functions[name].logGroup);
  return [
    {
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: { 'Fn::GetAtt': [logGroup, 'Arn'] },
    },
    { Effect: 'Allow', Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: '*' },
  ];
}

function tableArn({ stack }: Synthesized): unknown {
  return { 'Fn::GetAtt': [logicalId(stack, stack.claims.table), 'Arn'] };
}

function keyArn({ stack }: Synthesized): unknown {
  const key = stack.node.findChild('Key');
  return { 'Fn::GetAtt': [logicalId(stack, key), 'Arn'] };
}

const viaS3 = { StringEquals: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` } };

describe('least privilege', () => {
  const synthesized = synth();

  it('lets the issuer, whose credentials sign every URL, only put objects under uploads/ and put claims', () => {
    expect(permissionsOf(synthesized, 'issuer')).toEqual(
      sorted([
        ...baseline(synthesized, 'issuer'),
        { Effect: 'Allow', Action: ['s3:PutObject'], Resource: arn('/uploads/*') },
        { Effect: 'Allow', Action: ['dynamodb:PutItem'], Resource: tableArn(synthesized) },
      ]),
    );
  });

  it('lets the acceptor list and read versions under uploads/, write and read accepted/, and change claims', () => {
    expect(permissionsOf(synthesized, 'acceptor')).toEqual(
      sorted([
        ...baseline(synthesized, 'acceptor'),
        {
          Effect: 'Allow',
          Action: ['s3:ListBucketVersions'],
          Resource: arn(''),
          Condition: { StringLike: { 's3:prefix': ['uploads/*'] } },
        },
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: arn('/uploads/*') },
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: arn('/accepted/*') },
        {
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          Resource: tableArn(synthesized),
        },
        // Its on-failure destination: a failed event is parked, not lost.
        {
          Effect: 'Allow',
          Action: ['sqs:SendMessage'],
          Resource: {
            'Fn::GetAtt': [logicalId(synthesized.stack, synthesized.stack.failedUploadEvents), 'Arn'],
          },
        },
      ]),
    );
  });

  it('lets the status function only read claims', () => {
    expect(permissionsOf(synthesized, 'status')).toEqual(
      sorted([
        ...baseline(synthesized, 'status'),
        { Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: tableArn(synthesized) },
      ]),
    );
  });

  it('lets the processor only read accepted files', () => {
    expect(permissionsOf(synthesized, 'processor')).toEqual(
      sorted([
        ...baseline(synthesized, 'processor'),
        { Effect: 'Allow', Action: ['s3:GetObject'], Resource: arn('/accepted/*') },
      ]),
    );
  });

  it('grants no wildcard action and no managed policy to any function', () => {
    for (const name of ['issuer', 'acceptor', 'status', 'processor'] as const) {
      for (const statement of permissionsOf(synthesized, name)) {
        for (const action of statement.Action) expect(action).not.toMatch(/\*/);
      }
    }
  });

  it('with a KMS key, adds exactly the key actions each function needs, through S3 only', () => {
    const withKey = synth({ kms: 'on' });
    const key = keyArn(withKey);
    const keyStatement = (actions: string[]) => ({
      Effect: 'Allow',
      Action: actions,
      Resource: key,
      Condition: viaS3,
    });
    const kmsOf = (name: keyof Synthesized['stack']['functions']) =>
      permissionsOf(withKey, name).filter((s) => s.Action.some((a) => a.startsWith('kms:')));

    expect(kmsOf('issuer')).toEqual([keyStatement(['kms:GenerateDataKey'])]);
    expect(kmsOf('acceptor')).toEqual([keyStatement(['kms:Decrypt', 'kms:GenerateDataKey'])]);
    expect(kmsOf('processor')).toEqual([keyStatement(['kms:Decrypt'])]);
    expect(kmsOf('status')).toEqual([]);
  });

  it('has no KMS statement without a key', () => {
    for (const name of ['issuer', 'acceptor', 'status', 'processor'] as const) {
      expect(permissionsOf(synthesized, name).flatMap((s) => s.Action)).not.toContainEqual(
        expect.stringMatching(/^kms:/),
      );
    }
  });
});
