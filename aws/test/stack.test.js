// Synthesizes the stack once, with every option on, and checks what matters for security and for
// vodflow to work: private encrypted buckets, TLS-only policies, no public principal, queues with
// dead-letter queues and alarms, the table's indexes, and roles granting exactly what the code calls.
// Run with `npm test` (node's test runner), and by ./mvnw verify.
'use strict';

const { test, describe, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Template, Annotations, Match } = require('aws-cdk-lib/assertions');
const { buildApp } = require('../lib/app');
const { readConfig } = require('../lib/config');

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const OIDC_PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER}`;
const MEDIACONVERT_QUEUE_ARN = `arn:aws:mediaconvert:${REGION}:${ACCOUNT}:queues/vodflow`;
const CERTIFICATE_ARN = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/0f5e7d8a-1111-2222-3333-444455556666`;

// Cloud assemblies and the CDN's public key go to a folder of their own, removed at the end.
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'vodflow-aws-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));
const publicKeyFile = path.join(scratch, 'cdn-public.pem');
fs.writeFileSync(
  publicKeyFile,
  crypto.generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  }).publicKey,
);

// The one synthesis the tests share: every option on.
const { stack } = buildApp({
  env: { account: ACCOUNT, region: REGION },
  outdir: path.join(scratch, 'full'),
  context: {
    prefix: 'vodflow',
    pageOrigin: 'https://videos.example.com',
    oidcProviderArn: OIDC_PROVIDER_ARN,
    namespace: 'vodflow',
    serviceAccount: 'vodflow',
    clusterName: 'videos',
    mediaConvertQueueArn: MEDIACONVERT_QUEUE_ARN,
    alarmEmail: 'ops@example.com',
    cloudFront: 'true',
    cdnDomainName: 'cdn.videos.example.com',
    cdnCertificateArn: CERTIFICATE_ARN,
    cdnPublicKeyFile: publicKeyFile,
  },
});
const template = Template.fromStack(stack);
const resources = template.toJSON().Resources;
const id = (construct) => stack.getLogicalId(construct.node.defaultChild);
const r = stack.resources;

const ofType = (type) => Object.entries(resources).filter(([, resource]) => resource.Type === type);

/** An intrinsic as a readable string: {Fn::GetAtt: [X, Arn]} is "X.Arn", {Ref: X} is "X". */
function render(value) {
  if (typeof value === 'string') return value;
  if (value.Ref) return value.Ref;
  if (value['Fn::GetAtt']) return value['Fn::GetAtt'].join('.');
  if (value['Fn::Join']) return value['Fn::Join'][1].map(render).join(value['Fn::Join'][0]);
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}
const list = (value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Every policy statement in the template, with where it is. */
function allStatements() {
  const found = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    const p = resource.Properties || {};
    const documents = [
      p.AssumeRolePolicyDocument,
      p.PolicyDocument,
      p.KeyPolicy,
      ...list(p.Policies).map((policy) => policy.PolicyDocument),
    ].filter(Boolean);
    for (const document of documents) {
      for (const statement of document.Statement) found.push({ logicalId, statement });
    }
  }
  return found;
}

/** action -> sorted rendered resources, over the inline policies of a role. */
function grants(role) {
  const byAction = {};
  for (const policy of resources[id(role)].Properties.Policies) {
    for (const statement of policy.PolicyDocument.Statement) {
      assert.equal(statement.Effect, 'Allow');
      for (const action of list(statement.Action)) {
        byAction[action] = [...(byAction[action] || []), ...list(statement.Resource).map(render)].sort();
      }
    }
  }
  return byAction;
}

describe('buckets', () => {
  const buckets = ofType('AWS::S3::Bucket');

  test('there are three: input, output and access logs', () => {
    assert.deepEqual(
      buckets.map(([, b]) => b.Properties.BucketName).sort(),
      ['input', 'logs', 'output'].map((role) => `vodflow-${role}-${ACCOUNT}-${REGION}`),
    );
  });

  test('every bucket blocks public access, is encrypted, has no ACLs and is retained', () => {
    for (const [logicalId, bucket] of buckets) {
      const p = bucket.Properties;
      assert.deepEqual(
        p.PublicAccessBlockConfiguration,
        { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        logicalId,
      );
      assert.equal(p.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm, 'AES256', logicalId);
      assert.deepEqual(p.OwnershipControls.Rules, [{ ObjectOwnership: 'BucketOwnerEnforced' }], logicalId);
      assert.equal(p.AccessControl, undefined, logicalId);
      assert.equal(bucket.DeletionPolicy, 'Retain', logicalId);
    }
  });

  test('every bucket policy denies requests without TLS (1.2 at least)', () => {
    const policies = ofType('AWS::S3::BucketPolicy');
    assert.equal(policies.length, buckets.length);
    for (const [logicalId, policy] of policies) {
      const statements = policy.Properties.PolicyDocument.Statement;
      assert.ok(
        statements.some((s) => s.Effect === 'Deny' && s.Action === 's3:*' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'),
        logicalId,
      );
      assert.ok(
        statements.some((s) => s.Effect === 'Deny' && s.Condition?.NumericLessThan?.['s3:TlsVersion'] === 1.2),
        logicalId,
      );
    }
  });

  test('the input and output buckets log their access to the logs bucket', () => {
    for (const bucket of [r.inputBucket, r.outputBucket]) {
      assert.deepEqual(resources[id(bucket)].Properties.LoggingConfiguration.DestinationBucketName, { Ref: id(r.logsBucket) });
    }
  });

  test('browsers on the page may PUT to the input bucket and read the ETag; abandoned uploads go after 2 days', () => {
    const p = resources[id(r.inputBucket)].Properties;
    assert.deepEqual(p.CorsConfiguration.CorsRules, [
      {
        AllowedMethods: ['PUT'],
        AllowedOrigins: ['https://videos.example.com'],
        AllowedHeaders: ['*'],
        ExposedHeaders: ['ETag'],
        MaxAge: 3600,
      },
    ]);
    assert.deepEqual(p.LifecycleConfiguration.Rules, [
      { Id: 'abandoned-uploads', Prefix: 'uploads/', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } },
    ]);
  });

  test('players on the page may GET from the output bucket; parts of an output never completed go after 2 days', () => {
    const p = resources[id(r.outputBucket)].Properties;
    const [rule] = p.CorsConfiguration.CorsRules;
    assert.deepEqual(rule.AllowedMethods, ['GET', 'HEAD']);
    assert.deepEqual(rule.AllowedOrigins, ['https://videos.example.com']);
    assert.deepEqual(p.LifecycleConfiguration.Rules, [
      { Id: 'abandoned-parts', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } },
    ]);
  });

  test('objects created as uploads/<id>/source are reported to the uploads queue, and only the input bucket may send there', () => {
    const uploads = r.queues.find((q) => q.key === 'uploads');
    const input = resources[id(r.inputBucket)];
    assert.deepEqual(input.Properties.NotificationConfiguration, {
      QueueConfigurations: [
        {
          Event: 's3:ObjectCreated:*',
          Queue: { 'Fn::GetAtt': [id(uploads.queue), 'Arn'] },
          Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'uploads/' }, { Name: 'suffix', Value: '/source' }] } },
        },
      ],
    });
    const policyId = stack.getLogicalId(uploads.queue.node.findChild('Policy').node.defaultChild);
    assert.deepEqual(input.DependsOn, [policyId]);
    const fromS3 = resources[policyId].Properties.PolicyDocument.Statement.filter((s) => s.Effect === 'Allow');
    assert.equal(fromS3.length, 1);
    assert.deepEqual(fromS3[0].Principal, { Service: 's3.amazonaws.com' });
    assert.equal(fromS3[0].Action, 'sqs:SendMessage');
    assert.equal(render(fromS3[0].Condition.ArnEquals['aws:SourceArn']), `arn:AWS::Partition:s3:::vodflow-input-${ACCOUNT}-${REGION}`);
    assert.equal(fromS3[0].Condition.StringEquals['aws:SourceAccount'], ACCOUNT);
  });
});

describe('no public access', () => {
  test('no statement allows a public principal', () => {
    const statements = allStatements();
    assert.ok(statements.length > 20);
    for (const { logicalId, statement } of statements) {
      // Identity policies (a role's own) name no principal; trust and resource policies do.
      if (statement.Effect !== 'Allow' || resources[logicalId].Type === 'AWS::IAM::Role' && !statement.Principal) continue;
      const principals = statement.Principal === '*' ? ['*'] : Object.values(statement.Principal || {}).flatMap(list);
      assert.ok(principals.length > 0 && !principals.includes('*'), `${logicalId}: ${JSON.stringify(statement)}`);
      assert.equal(statement.NotPrincipal, undefined, logicalId);
    }
  });

  test('only the key policy trusts the account root, and only deny statements name every principal', () => {
    for (const { logicalId, statement } of allStatements()) {
      if (JSON.stringify(statement.Principal || '').includes(':root')) {
        assert.equal(resources[logicalId].Type, 'AWS::KMS::Key');
      }
      if (statement.Principal?.AWS === '*') {
        assert.equal(statement.Effect, 'Deny', logicalId);
      }
    }
  });
});

describe('queues', () => {
  const queues = ofType('AWS::SQS::Queue');

  test('uploads, job-events and transcode-jobs each have a dead-letter queue after 5 receives', () => {
    for (const { key, queue, deadLetters } of r.queues) {
      const p = resources[id(queue)].Properties;
      assert.equal(p.QueueName, `vodflow-${key}`);
      assert.deepEqual(p.RedrivePolicy, { deadLetterTargetArn: { 'Fn::GetAtt': [id(deadLetters), 'Arn'] }, maxReceiveCount: 5 });
      const dlq = resources[id(deadLetters)].Properties;
      assert.equal(dlq.QueueName, `vodflow-${key}-dlq`);
      assert.equal(dlq.MessageRetentionPeriod, 14 * 24 * 3600);
    }
  });

  test('every queue is encrypted by SQS and refuses requests without TLS', () => {
    assert.equal(queues.length, 7);
    const policies = ofType('AWS::SQS::QueuePolicy');
    for (const [logicalId, queue] of queues) {
      assert.equal(queue.Properties.SqsManagedSseEnabled, true, logicalId);
      const policy = policies.find(([, p]) => p.Properties.Queues.some((q) => q.Ref === logicalId));
      assert.ok(policy, logicalId);
      assert.ok(
        policy[1].Properties.PolicyDocument.Statement.some(
          (s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
        ),
        logicalId,
      );
    }
  });

  test('an alarm fires on a message in any dead-letter queue, and on messages waiting too long', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const topic = { Ref: id(r.alarmTopic) };
    const deadLetterQueues = [...r.queues.map((q) => q.deadLetters), r.jobEventsRuleDeadLetters];
    for (const queue of deadLetterQueues) {
      const alarm = alarms.find(
        (a) => a.MetricName === 'ApproximateNumberOfMessagesVisible' && a.Dimensions[0].Value['Fn::GetAtt'][0] === id(queue),
      );
      assert.ok(alarm, id(queue));
      assert.equal(alarm.Threshold, 0);
      assert.equal(alarm.ComparisonOperator, 'GreaterThanThreshold');
      assert.deepEqual(alarm.AlarmActions, [topic]);
    }
    for (const { queue } of r.queues) {
      const alarm = alarms.find(
        (a) => a.MetricName === 'ApproximateAgeOfOldestMessage' && a.Dimensions[0].Value['Fn::GetAtt'][0] === id(queue),
      );
      assert.ok(alarm, id(queue));
      assert.deepEqual(alarm.AlarmActions, [topic]);
    }
    assert.equal(alarms.length, 7);
  });

  test('the alarm topic is encrypted with a rotated key and refuses requests without TLS', () => {
    const topic = resources[id(r.alarmTopic)].Properties;
    assert.ok(topic.KmsMasterKeyId);
    const [, key] = ofType('AWS::KMS::Key')[0];
    assert.equal(key.Properties.EnableKeyRotation, true);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });
});

describe('job events', () => {
  test('MediaConvert job state changes of vodflow\'s queue go to the job-events queue, with a dead-letter queue', () => {
    const jobEvents = r.queues.find((q) => q.key === 'job-events');
    const rule = resources[id(r.jobEventsRule)].Properties;
    assert.deepEqual(rule.EventPattern, {
      source: ['aws.mediaconvert'],
      'detail-type': ['MediaConvert Job State Change'],
      detail: { queue: [MEDIACONVERT_QUEUE_ARN] },
    });
    assert.equal(rule.Targets.length, 1);
    assert.deepEqual(rule.Targets[0].Arn, { 'Fn::GetAtt': [id(jobEvents.queue), 'Arn'] });
    assert.deepEqual(rule.Targets[0].DeadLetterConfig, { Arn: { 'Fn::GetAtt': [id(r.jobEventsRuleDeadLetters), 'Arn'] } });
  });
});

describe('table', () => {
  test('pay per request, keyed by id, with PITR, deletion protection, TTL on expiresAt, retained', () => {
    const table = resources[id(r.table)];
    const p = table.Properties;
    assert.equal(p.TableName, 'vodflow-videos');
    assert.equal(p.BillingMode, 'PAY_PER_REQUEST');
    assert.deepEqual(p.KeySchema, [{ AttributeName: 'id', KeyType: 'HASH' }]);
    assert.deepEqual(p.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
    assert.equal(p.DeletionProtectionEnabled, true);
    assert.deepEqual(p.TimeToLiveSpecification, { AttributeName: 'expiresAt', Enabled: true });
    assert.equal(table.DeletionPolicy, 'Retain');
    assert.equal(table.UpdateReplacePolicy, 'Retain');
  });

  test('the five indexes of io.vodflow.video.VideoTable, with its attribute types and projections', () => {
    const p = resources[id(r.table)].Properties;
    const indexes = Object.fromEntries(
      p.GlobalSecondaryIndexes.map((index) => [
        index.IndexName,
        [index.KeySchema.map((k) => `${k.AttributeName}:${k.KeyType}`).join(' '), index.Projection.ProjectionType],
      ]),
    );
    assert.deepEqual(indexes, {
      byCreation: ['listKey:HASH createdMillis:RANGE', 'ALL'],
      byOwner: ['owner:HASH createdMillis:RANGE', 'ALL'],
      inFlight: ['inFlightOwner:HASH', 'KEYS_ONLY'],
      byJob: ['jobId:HASH', 'KEYS_ONLY'],
      pending: ['pendingKey:HASH updatedMillis:RANGE', 'KEYS_ONLY'],
    });
    assert.deepEqual(
      Object.fromEntries(p.AttributeDefinitions.map((a) => [a.AttributeName, a.AttributeType])),
      {
        id: 'S',
        listKey: 'S',
        createdMillis: 'N',
        owner: 'S',
        inFlightOwner: 'S',
        jobId: 'S',
        pendingKey: 'S',
        updatedMillis: 'N',
      },
    );
  });
});

describe('roles', () => {
  const input = `${id(r.inputBucket)}.Arn`;
  const output = `${id(r.outputBucket)}.Arn`;
  const queueArn = (queue) => `${id(queue)}.Arn`;
  const mainQueues = r.queues.map((q) => queueArn(q.queue)).sort();
  const allQueues = r.queues.flatMap((q) => [queueArn(q.queue), queueArn(q.deadLetters)]).sort();
  const jobEvents = queueArn(r.queues.find((q) => q.key === 'job-events').queue);
  const transcodeJobs = queueArn(r.queues.find((q) => q.key === 'transcode-jobs').queue);
  const table = `${id(r.table)}.Arn`;
  const jobs = `arn:AWS::Partition:mediaconvert:${REGION}:${ACCOUNT}:jobs/*`;
  const sources = [`${input}/uploads/*`];
  const objects = [`${input}/uploads/*`, `${output}/videos/*`].sort();

  test('MediaConvert\'s role: trusted by MediaConvert, reads sources, writes outputs', () => {
    const role = resources[id(r.mediaConvertRole)].Properties;
    assert.equal(role.RoleName, 'vodflow-mediaconvert');
    assert.deepEqual(role.AssumeRolePolicyDocument.Statement, [
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'mediaconvert.amazonaws.com' } },
    ]);
    assert.deepEqual(grants(r.mediaConvertRole), {
      's3:GetObject': sources,
      's3:PutObject': [`${output}/videos/*`],
    });
  });

  // Every AWS call of src/main/java (the SmallRye SQS connector's included), and the resources it
  // touches. Adding an action to the stack without adding it here, with its call site, fails.
  const EXPECTED_SERVICE_GRANTS = {
    // upload.UploadUrls presignPutObject/presignUploadPart, upload.UploadService
    // createMultipartUpload/completeMultipartUpload (uploads/); transcode.local.OutputUploader putObject (videos/)
    's3:PutObject': objects,
    // ingest.IngestService and reconcile.Reconciler headObject, storage.ObjectStore presignGetObject
    // (uploads/); playback.PlaybackService getObject, ObjectStore.read (videos/)
    's3:GetObject': objects,
    // storage.ObjectStore deleteObjects: the source (catalog, ingest) and the outputs (catalog, status, local engine)
    's3:DeleteObject': objects,
    // storage.ObjectStore abortMultipartUpload
    's3:AbortMultipartUpload': sources,
    // health.S3Readiness headBucket (both); ObjectStore listObjectsV2 (output)
    's3:ListBucket': [input, output].sort(),
    // messaging.SqsQueue, health.SqsReadiness, the connector's SqsManager; metrics.DeadLetters (dead-letter queues)
    'sqs:GetQueueUrl': allQueues,
    // metrics.DeadLetters: RedrivePolicy of each queue, ApproximateNumberOfMessages of its dead-letter queue
    'sqs:GetQueueAttributes': allQueues,
    // the connector's SqsInboundChannel (uploads, job-events); SqsQueue.receive (transcode-jobs)
    'sqs:ReceiveMessage': mainQueues,
    // the connector's SqsDeleteAckHandler; SqsQueue.delete
    'sqs:DeleteMessage': mainQueues,
    // the connector's SqsVisibilityFailureHandler; SqsQueue.hide
    'sqs:ChangeMessageVisibility': mainQueues,
    // transcode.local.JobQueue (transcode-jobs), transcode.local.JobEvents (job-events)
    'sqs:SendMessage': [jobEvents, transcodeJobs].sort(),
    // video.VideoRepository, upload.Quotas, transcode.local.JobLedger
    'dynamodb:GetItem': [table],
    'dynamodb:PutItem': [table],
    'dynamodb:UpdateItem': [table],
    'dynamodb:DeleteItem': [table],
    'dynamodb:BatchGetItem': [table],
    'dynamodb:Query': [table, `${table}/index/*`],
    // health.DynamoDbReadiness
    'dynamodb:DescribeTable': [table],
    // transcode.mediaconvert.MediaConvertTranscoder (CreateJob with tags needs TagResource)
    'mediaconvert:CreateJob': ['*'],
    'mediaconvert:ListJobs': ['*'],
    'mediaconvert:GetJob': [jobs],
    'mediaconvert:CancelJob': [jobs],
    'mediaconvert:TagResource': [jobs],
    // CreateJob's role
    'iam:PassRole': [`${id(r.mediaConvertRole)}.Arn`],
  };

  test('vodflow\'s role grants exactly the actions its code calls, on exactly these resources', () => {
    assert.deepEqual(grants(r.serviceRole), EXPECTED_SERVICE_GRANTS);
  });

  test('vodflow\'s role may pass the MediaConvert role to MediaConvert only', () => {
    const statements = resources[id(r.serviceRole)].Properties.Policies.flatMap((p) => p.PolicyDocument.Statement);
    const passRole = statements.filter((s) => list(s.Action).includes('iam:PassRole'));
    assert.equal(passRole.length, 1);
    assert.deepEqual(passRole[0].Action, 'iam:PassRole');
    assert.deepEqual(passRole[0].Condition, { StringEquals: { 'iam:PassedToService': 'mediaconvert.amazonaws.com' } });
    for (const statement of statements) {
      assert.ok(!list(statement.Action).some((action) => action.includes('*')), JSON.stringify(statement.Action));
    }
  });

  test('vodflow\'s role is trusted through IRSA by its service account only, and through EKS Pod Identity', () => {
    const role = resources[id(r.serviceRole)].Properties;
    assert.equal(role.RoleName, 'vodflow-service');
    const trust = role.AssumeRolePolicyDocument.Statement;
    assert.equal(trust.length, 2);
    assert.deepEqual(
      trust.find((s) => s.Principal.Federated),
      {
        Sid: 'Irsa',
        Effect: 'Allow',
        Principal: { Federated: OIDC_PROVIDER_ARN },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${ISSUER}:sub`]: 'system:serviceaccount:vodflow:vodflow',
            [`${ISSUER}:aud`]: 'sts.amazonaws.com',
          },
        },
      },
    );
    assert.deepEqual(
      trust.find((s) => s.Principal.Service),
      {
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: {
          StringEquals: {
            'aws:SourceAccount': ACCOUNT,
            'aws:RequestTag/kubernetes-namespace': 'vodflow',
            'aws:RequestTag/kubernetes-service-account': 'vodflow',
            'aws:RequestTag/eks-cluster-name': 'videos',
          },
        },
      },
    );
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      ClusterName: 'videos',
      Namespace: 'vodflow',
      ServiceAccount: 'vodflow',
      RoleArn: { 'Fn::GetAtt': [id(r.serviceRole), 'Arn'] },
    });
  });

  // What the local engine's workers call (k8s/self-hosted runs them without uploads, job events and
  // the reconciler, as transcode.local.WorkerRecoveryIT does), and nothing else.
  const EXPECTED_WORKER_GRANTS = {
    // storage.ObjectStore presignGetObject, through transcode.local.SourceLinks: what ffprobe and ffmpeg read
    's3:GetObject': sources,
    // transcode.local.OutputUploader putObject, and deleteObjects of a failed or canceled job's outputs
    's3:PutObject': [`${output}/videos/*`],
    's3:DeleteObject': [`${output}/videos/*`],
    // health.S3Readiness headBucket
    's3:ListBucket': [input, output].sort(),
    // transcode.local.JobQueue: receive, delete, hide, and a stopping worker's hand-back
    'sqs:ReceiveMessage': [transcodeJobs],
    'sqs:DeleteMessage': [transcodeJobs],
    'sqs:ChangeMessageVisibility': [transcodeJobs],
    'sqs:SendMessage': [jobEvents, transcodeJobs].sort(),
    // messaging.SqsQueue, health.SqsReadiness (every queue), metrics.DeadLetters
    'sqs:GetQueueUrl': allQueues,
    'sqs:GetQueueAttributes': allQueues,
    // transcode.local.JobLedger (its items only, below), health.DynamoDbReadiness
    'dynamodb:GetItem': [table],
    'dynamodb:UpdateItem': [table],
    'dynamodb:DescribeTable': [table],
  };

  test('the workers\' role grants what a job needs: no upload, MediaConvert, video record or source to delete', () => {
    assert.deepEqual(grants(r.workerRole), EXPECTED_WORKER_GRANTS);
    const statements = resources[id(r.workerRole)].Properties.Policies.flatMap((p) => p.PolicyDocument.Statement);
    const items = statements.filter((s) => list(s.Action).some((action) => action.endsWith('Item')));
    assert.deepEqual(items.map((s) => s.Condition), [
      { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['local-job#*'] } },
    ]);
  });

  test('the workers\' role is trusted by the workers\' service account only', () => {
    const trust = resources[id(r.workerRole)].Properties.AssumeRolePolicyDocument.Statement;
    assert.equal(resources[id(r.workerRole)].Properties.RoleName, 'vodflow-worker');
    assert.deepEqual(trust.find((s) => s.Principal.Federated).Condition.StringEquals, {
      [`${ISSUER}:sub`]: 'system:serviceaccount:vodflow:vodflow-worker',
      [`${ISSUER}:aud`]: 'sts.amazonaws.com',
    });
    assert.equal(
      trust.find((s) => s.Principal.Service).Condition.StringEquals['aws:RequestTag/kubernetes-service-account'],
      'vodflow-worker',
    );
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      ClusterName: 'videos',
      Namespace: 'vodflow',
      ServiceAccount: 'vodflow-worker',
      RoleArn: { 'Fn::GetAtt': [id(r.workerRole), 'Arn'] },
    });
  });

  test('KEDA\'s role reads the job queue\'s depth, nothing else, and is trusted by keda/keda-operator', () => {
    assert.deepEqual(grants(r.kedaRole), { 'sqs:GetQueueAttributes': [transcodeJobs] });
    const trust = resources[id(r.kedaRole)].Properties.AssumeRolePolicyDocument.Statement;
    assert.deepEqual(trust.find((s) => s.Principal.Federated).Condition.StringEquals, {
      [`${ISSUER}:sub`]: 'system:serviceaccount:keda:keda-operator',
      [`${ISSUER}:aud`]: 'sts.amazonaws.com',
    });
    assert.equal(trust.find((s) => s.Principal.Service).Condition.StringEquals['aws:RequestTag/kubernetes-namespace'], 'keda');
  });

  test('no other role or policy is created', () => {
    assert.deepEqual(
      ofType('AWS::IAM::Role').map(([logicalId]) => logicalId).sort(),
      [id(r.mediaConvertRole), id(r.serviceRole), id(r.workerRole), id(r.kedaRole)].sort(),
    );
    assert.deepEqual(ofType('AWS::IAM::Policy'), []);
    assert.deepEqual(ofType('AWS::IAM::ManagedPolicy'), []);
    assert.deepEqual(ofType('AWS::Lambda::Function'), []);
  });
});

describe('CloudFront', () => {
  test('reads the output bucket through origin access control, over HTTPS with TLS 1.2, with signed cookies', () => {
    const distribution = resources[id(r.distribution)].Properties.DistributionConfig;
    assert.deepEqual(distribution.Aliases, ['cdn.videos.example.com']);
    assert.equal(distribution.ViewerCertificate.MinimumProtocolVersion, 'TLSv1.2_2021');
    assert.equal(distribution.DefaultCacheBehavior.ViewerProtocolPolicy, 'https-only');
    assert.equal(distribution.DefaultCacheBehavior.TrustedKeyGroups.length, 1);
    assert.ok(distribution.Origins[0].OriginAccessControlId);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id(r.outputBucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Condition: Match.objectLike({ StringEquals: Match.objectLike({ 'AWS:SourceArn': Match.anyValue() }) }),
          }),
        ]),
      },
    });
  });
});

describe('outputs', () => {
  test('give every setting vodflow needs on AWS', () => {
    const outputs = template.toJSON().Outputs;
    const described = Object.values(outputs).map((o) => o.Description.split(' ')[0]);
    for (const variable of [
      'AWS_REGION',
      'VODFLOW_STORAGE_INPUT_BUCKET',
      'VODFLOW_STORAGE_OUTPUT_BUCKET',
      'VODFLOW_DATABASE_TABLE',
      'VODFLOW_QUEUES_UPLOADS',
      'VODFLOW_QUEUES_JOB_EVENTS',
      'VODFLOW_QUEUES_TRANSCODE_JOBS',
      'VODFLOW_MEDIACONVERT_ROLE_ARN',
      'VODFLOW_MEDIACONVERT_QUEUE_ARN',
      'VODFLOW_PLAYBACK_BASE_URL',
      'VODFLOW_PLAYBACK_CLOUDFRONT_KEY_PAIR_ID',
    ]) {
      assert.ok(described.includes(variable), variable);
    }
    assert.deepEqual(outputs.ServiceRoleArn.Value, { 'Fn::GetAtt': [id(r.serviceRole), 'Arn'] });
    assert.deepEqual(outputs.WorkerRoleArn.Value, { 'Fn::GetAtt': [id(r.workerRole), 'Arn'] });
    assert.deepEqual(outputs.KedaRoleArn.Value, { 'Fn::GetAtt': [id(r.kedaRole), 'Arn'] });
    assert.equal(outputs.PlaybackBaseUrl.Value, 'https://cdn.videos.example.com');
  });
});

describe('cdk-nag (AWS Solutions)', () => {
  const annotations = Annotations.fromStack(stack);
  const nag = Match.stringLikeRegexp('AwsSolutions-.*');

  test('reports no error and no warning that is not acknowledged with a reason', () => {
    assert.deepEqual(annotations.findError('*', nag).map((m) => `${m.id}: ${m.entry.data}`), []);
    assert.deepEqual(annotations.findWarning('*', nag).map((m) => `${m.id}: ${m.entry.data}`), []);
    annotations.hasNoWarning('*', Match.stringLikeRegexp('Neither -c oidcProviderArn'));
  });

  test('every acknowledgement gives a reason of its own', () => {
    const reasons = Object.values(resources).flatMap((resource) => resource.Metadata?.cdk_nag?.rules_to_suppress || []);
    assert.ok(reasons.length > 0);
    for (const { id: rule, reason } of reasons) {
      assert.ok(reason && reason.length >= 60, `${rule}: "${reason}"`);
    }
  });
});

describe('defaults', () => {
  // A second, small synthesis: the stack as `cdk synth` with no -c at all builds it.
  const { stack: plain } = buildApp({ env: { account: ACCOUNT, region: REGION }, outdir: path.join(scratch, 'plain') });
  const plainTemplate = Template.fromStack(plain);

  test('pass cdk-nag too, have no CloudFront and no IRSA trust, and warn that pageOrigin is the example and no pod gets the roles', () => {
    const annotations = Annotations.fromStack(plain);
    const nag = Match.stringLikeRegexp('AwsSolutions-.*');
    assert.deepEqual(annotations.findError('*', nag).map((m) => m.entry.data), []);
    assert.deepEqual(annotations.findWarning('*', nag).map((m) => m.entry.data), []);
    annotations.hasWarning('*', Match.stringLikeRegexp('No -c pageOrigin'));
    annotations.hasWarning('*', Match.stringLikeRegexp('Neither -c oidcProviderArn'));
    plainTemplate.resourceCountIs('AWS::CloudFront::Distribution', 0);
    plainTemplate.resourceCountIs('AWS::EKS::PodIdentityAssociation', 0);
    for (const [, role] of Object.entries(plainTemplate.findResources('AWS::IAM::Role'))) {
      for (const statement of role.Properties.AssumeRolePolicyDocument.Statement) {
        assert.equal(statement.Principal.Federated, undefined);
      }
    }
    plainTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.mediaconvert'], 'detail-type': ['MediaConvert Job State Change'] },
    });
  });
});

describe('context values', () => {
  const read = (values) => (key) => values[key];

  test('defaults: prefix vodflow, namespace and service account vodflow, workers vodflow-worker, KEDA in keda/keda-operator', () => {
    const config = readConfig(read({}));
    assert.equal(config.prefix, 'vodflow');
    assert.equal(config.namespace, 'vodflow');
    assert.equal(config.serviceAccount, 'vodflow');
    assert.equal(config.workerServiceAccount, 'vodflow-worker');
    assert.equal(config.kedaNamespace, 'keda');
    assert.equal(config.kedaServiceAccount, 'keda-operator');
    assert.equal(config.oidcProviderArn, undefined);
    assert.equal(config.cloudFront, false);
  });

  test('a bad value stops synthesis with a sentence naming it', () => {
    assert.throws(() => readConfig(read({ prefix: 'Vod_Flow' })), /prefix "Vod_Flow"/);
    assert.throws(() => readConfig(read({ pageOrigin: 'https://videos.example.com/app' })), /pageOrigin/);
    assert.throws(() => readConfig(read({ oidcProviderArn: 'arn:aws:iam::1:role/x' })), /oidcProviderArn/);
    assert.throws(() => readConfig(read({ cdnDomainName: 'cdn.example.com' })), /cdnCertificateArn/);
    assert.throws(() => readConfig(read({ namespace: 'Videos' })), /namespace "Videos"/);
    assert.throws(() => readConfig(read({ workerServiceAccount: 'vodflow' })), /workerServiceAccount "vodflow"/);
  });

  test('several page origins, comma-separated', () => {
    assert.deepEqual(readConfig(read({ pageOrigin: 'https://a.example, http://localhost:8080' })).pageOrigins, [
      'https://a.example',
      'http://localhost:8080',
    ]);
  });
});
