// Builds the CDK app: the one stack, with cdk-nag's AWS Solutions checks over all of it. Used by
// bin/vodflow.js (the CDK CLI's entry point) and by the tests, so that both see the same app.
'use strict';

const cdk = require('aws-cdk-lib');
const { AwsSolutionsChecks } = require('cdk-nag');
const { readConfig } = require('./config');
const { VodflowStack } = require('./vodflow-stack');

/** Behaviour this stack relies on, whatever a cdk.json around it says. */
const FEATURE_FLAGS = {
  // Server access logs are delivered under a bucket policy: the log bucket has ACLs disabled.
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
};

/**
 * @param {{ context?: object, env?: cdk.Environment, outdir?: string }} [options]
 *   context: the -c values (the CLI passes its own through the environment);
 *   env: account and region, else those of the CLI's credentials and -c region.
 */
function buildApp(options = {}) {
  const app = new cdk.App({
    outdir: options.outdir,
    context: options.context,
    postCliContext: FEATURE_FLAGS,
  });
  const config = readConfig((key) => app.node.tryGetContext(key));
  const env = options.env || {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: config.region || process.env.CDK_DEFAULT_REGION,
  };
  const stack = new VodflowStack(app, config.prefix, {
    config,
    env,
    description: 'vodflow: buckets, queues, table, EventBridge rule and IAM roles (aws/ in the vodflow repository)',
  });
  cdk.Tags.of(stack).add('app', config.prefix);
  cdk.Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return { app, stack, config };
}

module.exports = { buildApp, FEATURE_FLAGS };
