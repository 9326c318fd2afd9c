import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { dependencies, findCycle } from './dependency-graph.js';
import { ACCOUNT, BUCKET, bucketArn, logicalId, synth } from './synth.js';

describe('upload bucket', () => {
  const { stack, template } = synth();
  const bucketId = logicalId(stack, stack.bucket.bucket);
  const bucket = () => template.toJSON().Resources[bucketId];

  it('has a name computed from stack, account and region that S3 accepts', () => {
    expect(bucket().Properties.BucketName).toBe(BUCKET);
    expect(BUCKET).toMatch(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/);
  });

  it('is versioned, so that the first upload to a key can be found', () => {
    expect(bucket().Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  it('blocks every kind of public access and disables ACLs', () => {
    expect(bucket().Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket().Properties.OwnershipControls).toEqual({
      Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }],
    });
  });

  it('refuses every request that does not use TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, Match.anyValue()],
          },
        ]),
      },
    });
  });

  it('encrypts with S3-managed keys by default', () => {
    expect(bucket().Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    template.resourceCountIs('AWS::KMS::Key', 0);
  });

  it('encrypts with a rotated customer-managed key when kms is on', () => {
    const withKey = synth({ kms: 'on' });
    const keys = withKey.template.findResources('AWS::KMS::Key');
    const [keyId, key] = Object.entries(keys)[0] ?? [];
    expect(Object.keys(keys)).toHaveLength(1);
    expect(key?.Properties.EnableKeyRotation).toBe(true);
    withKey.template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] },
            },
          },
        ],
      },
    });
  });

  it('allows browser POST and PUT uploads from the configured origins', () => {
    expect(bucket().Properties.CorsConfiguration).toEqual({
      CorsRules: [
        {
          AllowedOrigins: ['*'],
          AllowedMethods: ['POST', 'PUT'],
          AllowedHeaders: ['*'],
          ExposedHeaders: ['ETag', 'Location', 'x-amz-version-id'],
          MaxAge: 3000,
        },
      ],
    });
    const narrowed = synth({ allowedOrigins: 'https://app.example.com,https://admin.example.com' });
    narrowed.template.hasResourceProperties('AWS::S3::Bucket', {
      CorsConfiguration: {
        CorsRules: [
          Match.objectLike({ AllowedOrigins: ['https://app.example.com', 'https://admin.example.com'] }),
        ],
      },
    });
  });

  it('expires uploads/ objects and noncurrent versions after the configured days', () => {
    expect(bucket().Properties.LifecycleConfiguration.Rules).toEqual([
      { Id: 'expire-uploads', Prefix: 'uploads/', ExpirationInDays: 30, Status: 'Enabled' },
      {
        Id: 'expire-noncurrent-versions',
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
        ExpiredObjectDeleteMarker: true,
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        Status: 'Enabled',
      },
    ]);
    const custom = synth({ uploadsExpirationDays: '7', noncurrentVersionExpirationDays: '90' });
    custom.template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({ Prefix: 'uploads/', ExpirationInDays: 7 }),
          Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 90 } }),
        ],
      },
    });
  });

  it('is retained with the stack unless destroyOnRemoval is on', () => {
    expect(bucket().DeletionPolicy).toBe('Retain');
    const disposable = synth({ destroyOnRemoval: 'true' });
    disposable.template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
  });
});

describe('bucket notifications', () => {
  const { stack, template } = synth();
  const bucketId = logicalId(stack, stack.bucket.bucket);
  const functionId = (name: 'acceptor' | 'processor') => logicalId(stack, stack.functions[name].function);

  it('sends ObjectCreated under uploads/ to the acceptor and under accepted/ to the processor', () => {
    expect(template.toJSON().Resources[bucketId].Properties.NotificationConfiguration).toEqual({
      LambdaConfigurations: [
        {
          Event: 's3:ObjectCreated:*',
          Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'uploads/' }] } },
          Function: { 'Fn::GetAtt': [functionId('acceptor'), 'Arn'] },
        },
        {
          Event: 's3:ObjectCreated:*',
          Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'accepted/' }] } },
          Function: { 'Fn::GetAtt': [functionId('processor'), 'Arn'] },
        },
      ],
    });
  });

  it('lets only this bucket in this account invoke each of the two functions', () => {
    for (const name of ['acceptor', 'processor'] as const) {
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [functionId(name), 'Arn'] },
        Principal: 's3.amazonaws.com',
        SourceArn: bucketArn(),
        SourceAccount: ACCOUNT,
      });
    }
    const s3Permissions = Object.values(template.findResources('AWS::Lambda::Permission')).filter(
      (p) => p.Properties.Principal === 's3.amazonaws.com',
    );
    expect(s3Permissions).toHaveLength(2);
  });

  it('creates the bucket after the permissions, as S3 checks them when notifications are written', () => {
    const permissions = Object.entries(template.findResources('AWS::Lambda::Permission'))
      .filter(([, p]) => p.Properties.Principal === 's3.amazonaws.com')
      .map(([id]) => id);
    expect(template.toJSON().Resources[bucketId].DependsOn).toEqual(expect.arrayContaining(permissions));
  });

  it('needs no custom resource, so the same template deploys on LocalStack', () => {
    const types = Object.values(template.toJSON().Resources).map((r) => (r as { Type: string }).Type);
    expect(types).not.toContain('Custom::S3BucketNotifications');
    expect(
      types.filter((t) => t.startsWith('Custom::') || t === 'AWS::CloudFormation::CustomResource'),
    ).toEqual([]);
    template.resourceCountIs('AWS::Lambda::Function', 4);
  });

  it('has no circular dependency between resources', () => {
    const variants: Record<string, string>[] = [
      {},
      { kms: 'on', smsNumber: '+14155550100', alarmEmail: 'ops@example.com' },
    ];
    for (const context of variants) {
      const graph = dependencies(synth(context).template.toJSON().Resources);
      expect(findCycle(graph)).toBeUndefined();
    }
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    const graph = dependencies({
      Bucket: { DependsOn: ['Permission'], Properties: {} },
      Permission: { Properties: { SourceArn: { 'Fn::GetAtt': ['Bucket', 'Arn'] } } },
    });
    expect(findCycle(graph)).toEqual(['Bucket', 'Permission', 'Bucket']);
  });
});
