// The stack's parameters, read from CDK context (`-c name=value` on the command line) and checked
// before anything is built, so that a mistyped value stops `cdk synth` with a sentence naming it.
'use strict';
const fs = require('fs');
const path = require('path');

const DEFAULTS = {
  prefix: 'vodflow',
  pageOrigin: 'https://videos.example.com',
  namespace: 'vodflow',
  serviceAccount: 'vodflow',
  workerServiceAccount: 'vodflow-worker',
  kedaNamespace: 'keda',
  kedaServiceAccount: 'keda-operator',
};

const KUBERNETES_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const OIDC_PROVIDER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/(.+)$/;
const MEDIACONVERT_QUEUE_ARN = /^arn:aws[a-z-]*:mediaconvert:[a-z0-9-]+:\d{12}:queues\/[A-Za-z0-9_-]+$/;
const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]+$/;

/**
 * @param {(key: string) => unknown} read  tryGetContext of the app
 * @returns the checked parameters; optional ones are undefined when not given
 */
function readConfig(read) {
  const problems = [];
  const text = (key) => {
    const value = read(key);
    if (value === undefined || value === null || value === '') {
      return DEFAULTS[key];
    }
    return String(value).trim();
  };
  const flag = (key) => {
    const value = read(key);
    return value === true || value === 'true';
  };

  const prefix = text('prefix');
  // Bucket names are <prefix>-output-<account>-<region>: 63 characters at most.
  if (!/^[a-z][a-z0-9-]{0,18}[a-z0-9]$/.test(prefix)) {
    problems.push(`prefix "${prefix}": 2 to 20 lower-case letters, digits and hyphens, starting with a letter`);
  }

  const pageOrigins = text('pageOrigin').split(',').map((origin) => origin.trim()).filter(Boolean);
  for (const origin of pageOrigins) {
    if (!/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(origin)) {
      problems.push(`pageOrigin "${origin}": an origin is scheme://host[:port], with no path (several: comma-separated)`);
    }
  }

  const names = {};
  for (const key of ['namespace', 'serviceAccount', 'workerServiceAccount', 'kedaNamespace', 'kedaServiceAccount']) {
    names[key] = text(key);
    if (!KUBERNETES_NAME.test(names[key])) {
      problems.push(`${key} "${names[key]}": not a Kubernetes name`);
    }
  }

  if (names.workerServiceAccount === names.serviceAccount) {
    problems.push(`workerServiceAccount "${names.workerServiceAccount}": the workers need a service account of their own, not serviceAccount's`);
  }

  const oidcProviderArn = text('oidcProviderArn');
  let oidcIssuer;
  if (oidcProviderArn !== undefined) {
    const match = OIDC_PROVIDER_ARN.exec(oidcProviderArn);
    if (match) {
      oidcIssuer = match[1];
    } else {
      problems.push(`oidcProviderArn "${oidcProviderArn}": expected arn:aws:iam::<account>:oidc-provider/<issuer host and path>`);
    }
  }

  const region = text('region');
  if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    problems.push(`region "${region}": not an AWS region name`);
  }

  const clusterName = text('clusterName');
  if (clusterName !== undefined && !/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(clusterName)) {
    problems.push(`clusterName "${clusterName}": not an EKS cluster name`);
  }

  const mediaConvertQueueArn = text('mediaConvertQueueArn');
  if (mediaConvertQueueArn !== undefined && !MEDIACONVERT_QUEUE_ARN.test(mediaConvertQueueArn)) {
    problems.push(`mediaConvertQueueArn "${mediaConvertQueueArn}": expected arn:aws:mediaconvert:<region>:<account>:queues/<name>`);
  }

  const alarmEmail = text('alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    problems.push(`alarmEmail "${alarmEmail}": not an e-mail address`);
  }

  const cloudFront = flag('cloudFront');
  const cdnDomainName = text('cdnDomainName');
  const cdnCertificateArn = text('cdnCertificateArn');
  const cdnPublicKeyFile = text('cdnPublicKeyFile');
  if ((cdnDomainName === undefined) !== (cdnCertificateArn === undefined)) {
    problems.push('cdnDomainName and cdnCertificateArn go together (the certificate must cover the domain)');
  }
  if (cdnCertificateArn !== undefined && !ACM_CERTIFICATE_ARN.test(cdnCertificateArn)) {
    problems.push(`cdnCertificateArn "${cdnCertificateArn}": CloudFront takes ACM certificates from us-east-1 only`);
  }
  if (!cloudFront && (cdnDomainName || cdnPublicKeyFile)) {
    problems.push('cdnDomainName, cdnCertificateArn and cdnPublicKeyFile need -c cloudFront=true');
  }

  let cdnPublicKey;
  if (cdnPublicKeyFile !== undefined) {
    try {
      cdnPublicKey = fs.readFileSync(path.resolve(cdnPublicKeyFile), 'utf8').trim();
      if (!/^-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----$/.test(cdnPublicKey)) {
        problems.push(`cdnPublicKeyFile "${cdnPublicKeyFile}": not a PEM public key (openssl rsa -pubout)`);
      }
    } catch (error) {
      problems.push(`cdnPublicKeyFile "${cdnPublicKeyFile}": ${error.message}`);
    }
  }

  if (problems.length > 0) {
    throw new Error(`vodflow stack: bad context values:\n  - ${problems.join('\n  - ')}`);
  }
  return {
    prefix,
    pageOrigins,
    pageOriginGiven: read('pageOrigin') !== undefined,
    ...names,
    region,
    oidcProviderArn,
    oidcIssuer,
    clusterName,
    mediaConvertQueueArn,
    alarmEmail,
    cloudFront,
    cdnDomainName,
    cdnCertificateArn,
    cdnPublicKey,
  };
}

module.exports = { readConfig, DEFAULTS };
