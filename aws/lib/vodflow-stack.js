// Everything vodflow needs on AWS, in one stack: the input, output and log buckets, the three queues
// with their dead-letter queues and alarms, the EventBridge rule for MediaConvert job events, the
// videos table, the role MediaConvert runs jobs with, the roles of vodflow's pods and of its
// transcoding workers, KEDA's role, and optionally a CloudFront distribution in front of the output
// bucket. docs/aws.md explains it.
'use strict';

const cdk = require('aws-cdk-lib');
const { Duration, RemovalPolicy } = cdk;
const s3 = require('aws-cdk-lib/aws-s3');
const sqs = require('aws-cdk-lib/aws-sqs');
const sns = require('aws-cdk-lib/aws-sns');
const snsSubscriptions = require('aws-cdk-lib/aws-sns-subscriptions');
const kms = require('aws-cdk-lib/aws-kms');
const iam = require('aws-cdk-lib/aws-iam');
const events = require('aws-cdk-lib/aws-events');
const eventTargets = require('aws-cdk-lib/aws-events-targets');
const dynamodb = require('aws-cdk-lib/aws-dynamodb');
const cloudwatch = require('aws-cdk-lib/aws-cloudwatch');
const cloudwatchActions = require('aws-cdk-lib/aws-cloudwatch-actions');
const cloudfront = require('aws-cdk-lib/aws-cloudfront');
const cloudfrontOrigins = require('aws-cdk-lib/aws-cloudfront-origins');
const acm = require('aws-cdk-lib/aws-certificatemanager');
const eks = require('aws-cdk-lib/aws-eks');
const { NagSuppressions } = require('cdk-nag');

/** Receives before SQS moves a message to its dead-letter queue; vodflow.ingest.max-deliveries matches. */
const MAX_RECEIVE_COUNT = 5;

class VodflowStack extends cdk.Stack {
  /**
   * @param {import('constructs').Construct} scope
   * @param {string} id
   * @param {cdk.StackProps & { config: ReturnType<typeof import('./config').readConfig> }} props
   */
  constructor(scope, id, props) {
    super(scope, id, props);
    const config = props.config;
    const name = (suffix) => `${config.prefix}-${suffix}`;
    // Bucket names are global: the account and region make them unique, and known before the
    // buckets exist (the uploads queue's policy names the input bucket without referring to it).
    const bucketName = (role) => `${config.prefix}-${role}-${this.account}-${this.region}`;

    if (!config.pageOriginGiven) {
      cdk.Annotations.of(this).addWarningV2(
        'vodflow:pageOrigin',
        `No -c pageOrigin=...: browsers may upload from ${config.pageOrigins.join(', ')} only.`,
      );
    }
    if (config.oidcProviderArn === undefined && config.clusterName === undefined) {
      cdk.Annotations.of(this).addWarningV2(
        'vodflow:podIdentity',
        'Neither -c oidcProviderArn=... (IRSA) nor -c clusterName=... (EKS Pod Identity): no pod can take the'
          + ' service, worker and KEDA roles until you associate them with the service accounts yourself.',
      );
    }

    // ---- Buckets -------------------------------------------------------------------------------

    const privateBucket = (constructId, bucketProps) =>
      new s3.Bucket(this, constructId, {
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        encryption: s3.BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        minimumTLSVersion: 1.2,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        removalPolicy: RemovalPolicy.RETAIN,
        ...bucketProps,
      });

    const logsBucket = privateBucket('LogsBucket', {
      bucketName: bucketName('logs'),
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
    });
    // cdk-nag's S1 (server access logs) accepts a bucket that is itself the log destination.

    const inputBucketName = bucketName('input');
    const inputBucket = privateBucket('InputBucket', {
      bucketName: inputBucketName,
      serverAccessLogsBucket: logsBucket,
      serverAccessLogsPrefix: 'input/',
      // Browsers PUT the file (or its parts) with presigned URLs from the page's origin; a multipart
      // upload is completed with each part's ETag, which the browser may read only when exposed.
      cors: [
        {
          allowedMethods: [s3.HttpMethods.PUT],
          allowedOrigins: config.pageOrigins,
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag'],
          maxAge: 3600,
        },
      ],
      lifecycleRules: [
        { id: 'abandoned-uploads', prefix: 'uploads/', abortIncompleteMultipartUploadAfter: Duration.days(2) },
      ],
    });

    const outputBucket = privateBucket('OutputBucket', {
      bucketName: bucketName('output'),
      serverAccessLogsBucket: logsBucket,
      serverAccessLogsPrefix: 'output/',
      // Players (hls.js reads with XHR) on the page's origin.
      cors: [
        {
          allowedMethods: [s3.HttpMethods.GET, s3.HttpMethods.HEAD],
          allowedOrigins: config.pageOrigins,
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag', 'Content-Length', 'Content-Range'],
          maxAge: 3600,
        },
      ],
      // MediaConvert and the local engine write large outputs in parts; a job stopped mid-write
      // leaves parts that are stored (and billed) unseen until aborted.
      lifecycleRules: [{ id: 'abandoned-parts', abortIncompleteMultipartUploadAfter: Duration.days(2) }],
    });

    // ---- Queues ------------------------------------------------------------------------------

    const queueWithDeadLetters = (constructId, key, visibilityTimeout) => {
      const deadLetters = new sqs.Queue(this, `${constructId}DeadLetters`, {
        queueName: name(`${key}-dlq`),
        retentionPeriod: Duration.days(14),
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
      });
      const queue = new sqs.Queue(this, constructId, {
        queueName: name(key),
        visibilityTimeout,
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        deadLetterQueue: { queue: deadLetters, maxReceiveCount: MAX_RECEIVE_COUNT },
      });
      return { key, queue, deadLetters };
    };
    // The uploads consumer receives with a 600 s visibility and the job-events consumer with 300 s
    // (application.properties); the local workers with vodflow.local.visibility-timeout (60 s by default).
    const uploads = queueWithDeadLetters('UploadsQueue', 'uploads', Duration.seconds(600));
    const jobEvents = queueWithDeadLetters('JobEventsQueue', 'job-events', Duration.seconds(300));
    const transcodeJobs = queueWithDeadLetters('TranscodeJobsQueue', 'transcode-jobs', Duration.seconds(60));
    const queues = [uploads, jobEvents, transcodeJobs];

    // ---- Upload notifications ----------------------------------------------------------------
    // Written on the bucket itself rather than with bucket.addEventNotification, which would add a
    // Lambda-backed custom resource: the queue policy names the bucket by its (known) name, and the
    // bucket waits for that policy, because S3 checks it can send when the notification is set.

    uploads.queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'InputBucketNotifications',
        principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [uploads.queue.queueArn],
        conditions: {
          ArnEquals: { 'aws:SourceArn': `arn:${this.partition}:s3:::${inputBucketName}` },
          StringEquals: { 'aws:SourceAccount': this.account },
        },
      }),
    );
    const cfnInputBucket = inputBucket.node.defaultChild;
    cfnInputBucket.notificationConfiguration = {
      queueConfigurations: [
        {
          event: 's3:ObjectCreated:*',
          queue: uploads.queue.queueArn,
          filter: {
            s3Key: {
              rules: [
                { name: 'prefix', value: 'uploads/' },
                { name: 'suffix', value: '/source' },
              ],
            },
          },
        },
      ],
    };
    cfnInputBucket.addResourceDependency(uploads.queue.node.findChild('Policy').node.defaultChild);

    // ---- Job events --------------------------------------------------------------------------

    const jobEventsRuleDeadLetters = new sqs.Queue(this, 'JobEventsRuleDeadLetters', {
      queueName: name('job-events-rule-dlq'),
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    NagSuppressions.addResourceSuppressions(jobEventsRuleDeadLetters, [
      {
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself a dead-letter queue: that of the EventBridge rule\'s target (events EventBridge could not deliver to the job-events queue), which cdk-nag does not recognise as one.',
      },
    ]);
    const jobEventsRule = new events.Rule(this, 'JobEventsRule', {
      ruleName: name('job-events'),
      description: 'MediaConvert job state changes to vodflow\'s job-events queue',
      eventPattern: {
        source: ['aws.mediaconvert'],
        detailType: ['MediaConvert Job State Change'],
        ...(config.mediaConvertQueueArn ? { detail: { queue: [config.mediaConvertQueueArn] } } : {}),
      },
    });
    jobEventsRule.addTarget(
      new eventTargets.SqsQueue(jobEvents.queue, {
        deadLetterQueue: jobEventsRuleDeadLetters,
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
      }),
    );

    // ---- Table -------------------------------------------------------------------------------
    // As io.vodflow.video.VideoTable defines it. CloudFormation adds or removes one index per
    // update: a change touching several indexes has to be deployed in steps.

    const table = new dynamodb.Table(this, 'VideosTable', {
      tableName: name('videos'),
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      // The local engine's job items and the quota counters carry it (epoch seconds).
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The indexes of io.vodflow.video.VideoTable: name, partition key, sort key (a number), projection.
    const S = dynamodb.AttributeType.STRING;
    const N = dynamodb.AttributeType.NUMBER;
    const { ALL, KEYS_ONLY } = dynamodb.ProjectionType;
    for (const [indexName, partition, sort, projectionType] of [
      ['byCreation', 'listKey', 'createdMillis', ALL],
      ['byOwner', 'owner', 'createdMillis', ALL],
      ['inFlight', 'inFlightOwner', null, KEYS_ONLY],
      ['byJob', 'jobId', null, KEYS_ONLY],
      ['pending', 'pendingKey', 'updatedMillis', KEYS_ONLY],
    ]) {
      table.addGlobalSecondaryIndex({
        indexName,
        partitionKey: { name: partition, type: S },
        ...(sort ? { sortKey: { name: sort, type: N } } : {}),
        projectionType,
      });
    }

    // ---- MediaConvert's role -----------------------------------------------------------------

    const sourceObjects = inputBucket.arnForObjects('uploads/*');
    const outputObjects = outputBucket.arnForObjects('videos/*');
    // The two object ARNs above, as cdk-nag names them in its findings.
    const objectPrefixes = [
      { regex: '/^Resource::<InputBucket[0-9A-F]+\\.Arn>\\/uploads\\/\\*$/' },
      { regex: '/^Resource::<OutputBucket[0-9A-F]+\\.Arn>\\/videos\\/\\*$/' },
    ];
    const mediaConvertRole = new iam.Role(this, 'MediaConvertRole', {
      roleName: name('mediaconvert'),
      description: 'MediaConvert runs vodflow\'s jobs with it: reads sources, writes renditions',
      assumedBy: new iam.ServicePrincipal('mediaconvert.amazonaws.com'),
      inlinePolicies: {
        buckets: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ sid: 'ReadSources', actions: ['s3:GetObject'], resources: [sourceObjects] }),
            new iam.PolicyStatement({ sid: 'WriteOutputs', actions: ['s3:PutObject'], resources: [outputObjects] }),
          ],
        }),
      },
    });
    NagSuppressions.addResourceSuppressions(mediaConvertRole, [
      {
        id: 'AwsSolutions-IAM5',
        reason: 'Object keys are per video (uploads/<id>/source, videos/<id>/...), so the role is scoped to the two key prefixes, one action each.',
        appliesTo: [
          ...objectPrefixes,
        ],
      },
    ]);

    // ---- The pods' roles (IRSA and EKS Pod Identity) -----------------------------------------

    const podRole = (constructId, roleName, description, namespace, serviceAccount, statements) => {
      const podIdentityConditions = {
        'aws:SourceAccount': this.account,
        'aws:RequestTag/kubernetes-namespace': namespace,
        'aws:RequestTag/kubernetes-service-account': serviceAccount,
      };
      if (config.clusterName) {
        podIdentityConditions['aws:RequestTag/eks-cluster-name'] = config.clusterName;
      }
      const role = new iam.Role(this, constructId, {
        roleName,
        description,
        assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com')
          .withConditions({ StringEquals: podIdentityConditions })
          .withSessionTags(),
        inlinePolicies: { permissions: new iam.PolicyDocument({ statements }) },
      });
      if (config.oidcProviderArn) {
        role.assumeRolePolicy.addStatements(
          new iam.PolicyStatement({
            sid: 'Irsa',
            principals: [new iam.FederatedPrincipal(config.oidcProviderArn)],
            actions: ['sts:AssumeRoleWithWebIdentity'],
            conditions: {
              StringEquals: {
                [`${config.oidcIssuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
                [`${config.oidcIssuer}:aud`]: 'sts.amazonaws.com',
              },
            },
          }),
        );
      }
      if (config.clusterName) {
        new eks.CfnPodIdentityAssociation(this, `${constructId}PodIdentity`, {
          clusterName: config.clusterName,
          namespace,
          serviceAccount,
          roleArn: role.roleArn,
        });
      }
      return role;
    };

    // HeadBucket on both buckets: the readiness check of every replica.
    const listBuckets = () =>
      new iam.PolicyStatement({
        sid: 'Buckets',
        actions: ['s3:ListBucket'],
        resources: [inputBucket.bucketArn, outputBucket.bucketArn],
      });
    const mainQueueArns = queues.map((each) => each.queue.queueArn);
    const deadLetterQueueArns = queues.map((each) => each.deadLetters.queueArn);
    const jobArns = `arn:${this.partition}:mediaconvert:${this.region}:${this.account}:jobs/*`;
    // Every action here is one the service's code calls (docs/aws.md has the table and the call
    // sites; aws/test/stack.test.js holds the same list and fails when they part).
    const serviceStatements = [
      new iam.PolicyStatement({
        sid: 'Sources',
        // PutObject: presigned PUT and UploadPart URLs, CreateMultipartUpload, CompleteMultipartUpload.
        // GetObject: HeadObject and the presigned GET that ffprobe/ffmpeg read. DeleteObject: DeleteObjects.
        actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        resources: [sourceObjects],
      }),
      new iam.PolicyStatement({
        sid: 'Outputs',
        // GetObject: playback and the playlist checks. PutObject: the local engine's renditions.
        // DeleteObject: DeleteObjects when a video is deleted or a canceled job wrote late.
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [outputObjects],
      }),
      // And ListObjectsV2 (outputs), and a 404 rather than a 403 from HeadObject/GetObject on a key
      // that is not there.
      listBuckets(),
      new iam.PolicyStatement({
        sid: 'Consume',
        actions: [
          'sqs:GetQueueUrl',
          'sqs:GetQueueAttributes',
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:ChangeMessageVisibility',
        ],
        resources: mainQueueArns,
      }),
      new iam.PolicyStatement({
        sid: 'Send',
        // The local engine: jobs to its workers, job events from them.
        actions: ['sqs:SendMessage'],
        resources: [jobEvents.queue.queueArn, transcodeJobs.queue.queueArn],
      }),
      new iam.PolicyStatement({
        sid: 'DeadLetterDepth',
        // The vodflow_dead_letters gauge.
        actions: ['sqs:GetQueueUrl', 'sqs:GetQueueAttributes'],
        resources: deadLetterQueueArns,
      }),
      new iam.PolicyStatement({
        sid: 'Table',
        actions: [
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchGetItem',
          'dynamodb:Query',
          'dynamodb:DescribeTable',
        ],
        resources: [table.tableArn],
      }),
      new iam.PolicyStatement({
        sid: 'Indexes',
        actions: ['dynamodb:Query'],
        resources: [`${table.tableArn}/index/*`],
      }),
      new iam.PolicyStatement({
        sid: 'MediaConvertJobs',
        // TagResource: CreateJob with tags (vodflow.mediaconvert.tags) tags the new job.
        actions: ['mediaconvert:GetJob', 'mediaconvert:CancelJob', 'mediaconvert:TagResource'],
        resources: [jobArns],
      }),
      new iam.PolicyStatement({
        sid: 'MediaConvertSubmit',
        // CreateJob and ListJobs have only optional resource types (queue, preset, job template),
        // and a request naming none of them is authorised against "*".
        actions: ['mediaconvert:CreateJob', 'mediaconvert:ListJobs'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'PassMediaConvertRole',
        actions: ['iam:PassRole'],
        resources: [mediaConvertRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'mediaconvert.amazonaws.com' } },
      }),
    ];
    const serviceRole = podRole(
      'ServiceRole',
      name('service'),
      `vodflow's pods (${config.namespace}/${config.serviceAccount}) through IRSA or EKS Pod Identity`,
      config.namespace,
      config.serviceAccount,
      serviceStatements,
    );
    NagSuppressions.addResourceSuppressions(serviceRole, [
      {
        id: 'AwsSolutions-IAM5',
        reason: 'Keys, jobs and index names are created at run time: objects are granted under the uploads/ and videos/ prefixes only, queries on the table\'s indexes, and MediaConvert job actions on this account\'s jobs in this region.',
        appliesTo: [
          ...objectPrefixes,
          { regex: '/^Resource::<VideosTable[0-9A-F]+\\.Arn>\\/index\\/\\*$/' },
          { regex: '/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):mediaconvert:.+:jobs\\/\\*$/' },
        ],
      },
      {
        id: 'AwsSolutions-IAM5',
        reason: 'mediaconvert:CreateJob and mediaconvert:ListJobs have no required resource type; vodflow calls them without a queue unless VODFLOW_MEDIACONVERT_QUEUE_ARN is set, and such a request is authorised against "*".',
        appliesTo: ['Resource::*'],
      },
    ]);

    // The local engine's workers (k8s/self-hosted) run ffmpeg on uploaded files, the part of vodflow
    // most exposed to a hostile file: their role reaches what a job needs and no more. No upload,
    // API, MediaConvert or video record, nothing to delete but outputs, and in the table only the
    // local engine's job items.
    const workerStatements = [
      new iam.PolicyStatement({
        sid: 'Sources',
        // The presigned GET that ffprobe and ffmpeg read.
        actions: ['s3:GetObject'],
        resources: [sourceObjects],
      }),
      new iam.PolicyStatement({
        sid: 'Outputs',
        // PutObject: renditions and thumbnails. DeleteObject: DeleteObjects of a failed or canceled job's outputs.
        actions: ['s3:PutObject', 's3:DeleteObject'],
        resources: [outputObjects],
      }),
      listBuckets(),
      new iam.PolicyStatement({
        sid: 'Jobs',
        // SendMessage: a stopping worker hands its job back as a fresh message.
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:SendMessage'],
        resources: [transcodeJobs.queue.queueArn],
      }),
      new iam.PolicyStatement({
        sid: 'JobEvents',
        actions: ['sqs:SendMessage'],
        resources: [jobEvents.queue.queueArn],
      }),
      new iam.PolicyStatement({
        sid: 'QueueLookups',
        // Queue lookup, readiness (every queue), the vodflow_dead_letters gauge.
        actions: ['sqs:GetQueueUrl', 'sqs:GetQueueAttributes'],
        resources: [...mainQueueArns, ...deadLetterQueueArns],
      }),
      new iam.PolicyStatement({
        sid: 'JobLedger',
        // transcode.local.JobLedger: items keyed local-job#<jobId>, no other.
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['local-job#*'] } },
      }),
      new iam.PolicyStatement({
        sid: 'TableReadiness',
        actions: ['dynamodb:DescribeTable'],
        resources: [table.tableArn],
      }),
    ];
    const workerRole = podRole(
      'WorkerRole',
      name('worker'),
      `vodflow's transcoding workers (${config.namespace}/${config.workerServiceAccount}) through IRSA or EKS Pod Identity`,
      config.namespace,
      config.workerServiceAccount,
      workerStatements,
    );
    NagSuppressions.addResourceSuppressions(workerRole, [
      {
        id: 'AwsSolutions-IAM5',
        reason: 'Keys are per video (uploads/<id>/source, videos/<id>/...): objects are granted under the uploads/ and videos/ prefixes only.',
        appliesTo: [
          ...objectPrefixes,
        ],
      },
    ]);

    // KEDA scales the local workers on the transcode-jobs queue's depth with its own identity.
    const kedaRole = podRole(
      'KedaRole',
      name('keda'),
      `KEDA's operator (${config.kedaNamespace}/${config.kedaServiceAccount}) reading the depth of vodflow's job queue`,
      config.kedaNamespace,
      config.kedaServiceAccount,
      [
        new iam.PolicyStatement({
          sid: 'QueueDepth',
          actions: ['sqs:GetQueueAttributes'],
          resources: [transcodeJobs.queue.queueArn],
        }),
      ],
    );

    // ---- Alarms ------------------------------------------------------------------------------

    const alarmKey = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts vodflow\'s alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key: it needs these.
    alarmKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    const alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      topicName: name('alarms'),
      masterKey: alarmKey,
      enforceSSL: true,
    });
    alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [alarmTopic.topicArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:*` },
          StringEquals: { 'aws:SourceAccount': this.account },
        },
      }),
    );
    if (config.alarmEmail) {
      alarmTopic.addSubscription(new snsSubscriptions.EmailSubscription(config.alarmEmail));
    }
    const notify = (alarm) => {
      alarm.addAlarmAction(new cloudwatchActions.SnsAction(alarmTopic));
      alarm.addOkAction(new cloudwatchActions.SnsAction(alarmTopic));
    };
    const deadLetterAlarm = (constructId, queue, what) =>
      notify(
        new cloudwatch.Alarm(this, constructId, {
          alarmName: `${queue.queueName}-not-empty`,
          alarmDescription: `${what} waits in ${queue.queueName}: see "Dead letters" in the README.`,
          metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
          threshold: 0,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    deadLetterAlarm('UploadsDeadLettersAlarm', uploads.deadLetters, 'An upload notification vodflow gave up on');
    deadLetterAlarm('JobEventsDeadLettersAlarm', jobEvents.deadLetters, 'A job event vodflow gave up on');
    deadLetterAlarm('TranscodeJobsDeadLettersAlarm', transcodeJobs.deadLetters, 'A local transcoding job the workers gave up on');
    deadLetterAlarm('JobEventsRuleDeadLettersAlarm', jobEventsRuleDeadLetters, 'A MediaConvert event EventBridge could not deliver');
    // How long the oldest message may wait before someone should look: notifications and job events
    // are handled in seconds; jobs wait for a free worker, so their queue may lag longer.
    const ageAlarm = (constructId, queue, seconds) =>
      notify(
        new cloudwatch.Alarm(this, constructId, {
          alarmName: `${queue.queueName}-oldest-message-age`,
          alarmDescription: `The oldest message in ${queue.queueName} has waited over ${seconds} s: its consumers are down or behind.`,
          metric: queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
          threshold: seconds,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    ageAlarm('UploadsAgeAlarm', uploads.queue, 900);
    ageAlarm('JobEventsAgeAlarm', jobEvents.queue, 900);
    ageAlarm('TranscodeJobsAgeAlarm', transcodeJobs.queue, 3600);

    // ---- CloudFront (optional) ---------------------------------------------------------------

    let distribution;
    let cdnPublicKey;
    if (config.cloudFront) {
      const playerCors = new cloudfront.ResponseHeadersPolicy(this, 'CdnPlayerCors', {
        responseHeadersPolicyName: name('player-cors'),
        comment: 'Players on vodflow\'s page read with XHR, with credentials when signed cookies are on',
        corsBehavior: {
          accessControlAllowOrigins: config.pageOrigins,
          accessControlAllowMethods: ['GET', 'HEAD', 'OPTIONS'],
          accessControlAllowHeaders: ['Range'],
          accessControlExposeHeaders: ['ETag', 'Content-Length', 'Content-Range'],
          accessControlAllowCredentials: true,
          accessControlMaxAge: Duration.hours(1),
          originOverride: true,
        },
      });
      let trustedKeyGroups;
      if (config.cdnPublicKey) {
        cdnPublicKey = new cloudfront.PublicKey(this, 'CdnPublicKey', {
          publicKeyName: name('playback'),
          comment: 'Verifies the signed cookies vodflow sets for one video\'s outputs',
          encodedKey: config.cdnPublicKey,
        });
        trustedKeyGroups = [
          new cloudfront.KeyGroup(this, 'CdnKeyGroup', { keyGroupName: name('playback'), items: [cdnPublicKey] }),
        ];
      }
      const certificate = config.cdnCertificateArn
        ? acm.Certificate.fromCertificateArn(this, 'CdnCertificate', config.cdnCertificateArn)
        : undefined;
      distribution = new cloudfront.Distribution(this, 'Cdn', {
        comment: `${config.prefix}: renditions and thumbnails from the output bucket`,
        defaultBehavior: {
          origin: cloudfrontOrigins.S3BucketOrigin.withOriginAccessControl(outputBucket),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
          cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD_OPTIONS,
          cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: playerCors,
          trustedKeyGroups,
        },
        domainNames: config.cdnDomainName ? [config.cdnDomainName] : undefined,
        certificate,
        minimumProtocolVersion: certificate ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
        httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      });
      const cdnSuppressions = [
        {
          id: 'AwsSolutions-CFR1',
          reason: 'Videos are for every country the page serves; no geographic restriction is wanted.',
        },
        {
          id: 'AwsSolutions-CFR2',
          reason: 'The distribution serves only static objects of the output bucket, GET and HEAD only; with -c cdnPublicKeyFile every request needs vodflow\'s signed cookie. Attach a web ACL if rate limiting is wanted.',
        },
        {
          id: 'AwsSolutions-CFR3',
          reason: 'Standard logging to S3 needs ACLs on the log bucket, which every bucket here disables, and logging v2 needs its delivery source in us-east-1, outside this stack. Who reads which video is decided, and logged, by vodflow when it signs the links.',
        },
      ];
      if (!certificate) {
        cdnSuppressions.push({
          id: 'AwsSolutions-CFR4',
          reason: 'Without -c cdnDomainName/cdnCertificateArn the distribution uses the default *.cloudfront.net certificate, whose minimum protocol CloudFront fixes at TLSv1; viewers still use HTTPS only.',
        });
      }
      NagSuppressions.addResourceSuppressions(distribution, cdnSuppressions);
    }

    // ---- Outputs: the settings of vodflow and of its manifests -------------------------------

    const output = (constructId, value, description) => new cdk.CfnOutput(this, constructId, { value, description });
    output('AwsRegion', this.region, 'AWS_REGION');
    output('InputBucketName', inputBucket.bucketName, 'VODFLOW_STORAGE_INPUT_BUCKET');
    output('OutputBucketName', outputBucket.bucketName, 'VODFLOW_STORAGE_OUTPUT_BUCKET');
    output('TableName', table.tableName, 'VODFLOW_DATABASE_TABLE');
    output('UploadsQueueName', uploads.queue.queueName, 'VODFLOW_QUEUES_UPLOADS');
    output('JobEventsQueueName', jobEvents.queue.queueName, 'VODFLOW_QUEUES_JOB_EVENTS');
    output('TranscodeJobsQueueName', transcodeJobs.queue.queueName, 'VODFLOW_QUEUES_TRANSCODE_JOBS (local engine)');
    output('MediaConvertRoleArn', mediaConvertRole.roleArn, 'VODFLOW_MEDIACONVERT_ROLE_ARN');
    if (config.mediaConvertQueueArn) {
      output('MediaConvertQueueArn', config.mediaConvertQueueArn, 'VODFLOW_MEDIACONVERT_QUEUE_ARN');
    }
    if (distribution) {
      const host = config.cdnDomainName || distribution.distributionDomainName;
      output('PlaybackBaseUrl', `https://${host}`, 'VODFLOW_PLAYBACK_BASE_URL');
      if (cdnPublicKey) {
        output('CdnKeyPairId', cdnPublicKey.publicKeyId, 'VODFLOW_PLAYBACK_CLOUDFRONT_KEY_PAIR_ID');
      }
    }
    output('ServiceRoleArn', serviceRole.roleArn, `eks.amazonaws.com/role-arn of the ${config.serviceAccount} service account (IRSA), or its Pod Identity association`);
    output('WorkerRoleArn', workerRole.roleArn, `eks.amazonaws.com/role-arn of the ${config.workerServiceAccount} service account (IRSA, k8s/self-hosted), or its Pod Identity association`);
    output('KedaRoleArn', kedaRole.roleArn, `eks.amazonaws.com/role-arn of ${config.kedaNamespace}/${config.kedaServiceAccount} (IRSA), or its Pod Identity association`);
    output('TranscodeJobsQueueUrl', transcodeJobs.queue.queueUrl, 'queueURL of the KEDA ScaledObject (k8s/self-hosted)');
    output('AlarmTopicArn', alarmTopic.topicArn, 'SNS topic of the queue alarms: subscribe to it');

    /** For the tests. */
    this.resources = {
      logsBucket,
      inputBucket,
      outputBucket,
      queues,
      jobEventsRuleDeadLetters,
      jobEventsRule,
      table,
      mediaConvertRole,
      serviceRole,
      workerRole,
      kedaRole,
      alarmTopic,
      distribution,
    };
  }
}

module.exports = { VodflowStack, MAX_RECEIVE_COUNT };
