'use strict';
// The upload-URL function of the serverless pattern vodflow is compared with (API Gateway, a Lambda
// function, DynamoDB, S3), as a plain node:http server so that bench/api.sh can load it like vodflow:
// POST /videos validates the file, records the video in DynamoDB and presigns the S3 PUT.
//
// It verifies no bearer token: on AWS, API Gateway's authorizer does that before the function runs.
//
// Settings, from the environment:
//   PORT, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (read by the SDK),
//   DYNAMODB_ENDPOINT, S3_ENDPOINT (the embedded services; absent on AWS), TABLE_NAME, BUCKET_NAME.

const http = require('node:http');
const { randomUUID } = require('node:crypto');
const { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');
const { S3Client, PutObjectCommand } = require('@aws-sdk/client-s3');
const { getSignedUrl } = require('@aws-sdk/s3-request-presigner');

const TABLE = required('TABLE_NAME');
const BUCKET = required('BUCKET_NAME');
const PORT = Number(process.env.PORT || 3000);
const MAX_SIZE = 10 * 1024 ** 3; // 10 GiB, vodflow's default vodflow.upload.max-size
const MAX_BODY = 1024 * 1024; // vodflow's quarkus.http.limits.max-body-size
const URL_LIFETIME_SECONDS = 3600;
const EXTENSIONS = new Set(['mp4', 'm4v', 'mov', 'mkv', 'webm', 'avi', 'mpg', 'mpeg', 'ts', 'mxf']);
const VIDEO_TYPE = /^video\/[a-z0-9][a-z0-9.+-]*$/i;
const CONTROL = /[\x00-\x1f\x7f-\x9f]/;

// Made once, as a Lambda function makes them outside its handler, so that warm requests reuse them
// and their kept-alive connections.
const dynamo = new DynamoDBClient(endpoint(process.env.DYNAMODB_ENDPOINT));
const s3 = new S3Client({
  ...endpoint(process.env.S3_ENDPOINT),
  forcePathStyle: true,
  // Otherwise the URL carries the CRC32 of an empty body, and S3 refuses the file sent with it.
  requestChecksumCalculation: 'WHEN_REQUIRED',
});

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`Set ${name}`);
  }
  return value;
}

function endpoint(url) {
  return url ? { endpoint: url } : {};
}

/** The problem with the request, or null when it may be created. */
function problem(body) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return 'The body must be a JSON object';
  }
  const { fileName, contentType, sizeBytes } = body;
  if (typeof fileName !== 'string' || fileName.trim() === '') {
    return 'fileName is required';
  }
  if ([...fileName].length > 255 || CONTROL.test(fileName)) {
    return 'fileName must be plain text of at most 255 characters';
  }
  const dot = fileName.lastIndexOf('.');
  if (dot < 0 || !EXTENSIONS.has(fileName.slice(dot + 1).toLowerCase())) {
    return `fileName must end with one of .${[...EXTENSIONS].join(', .')}`;
  }
  if (typeof contentType !== 'string' || !VIDEO_TYPE.test(contentType)) {
    return 'contentType must be a video type, for example video/mp4';
  }
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0 || sizeBytes > MAX_SIZE) {
    return `sizeBytes must be a whole number between 1 and ${MAX_SIZE}`;
  }
  return null;
}

async function create({ fileName, contentType, sizeBytes }) {
  const id = randomUUID();
  const key = `uploads/${id}/source`;
  await dynamo.send(
    new PutItemCommand({
      TableName: TABLE,
      Item: {
        id: { S: id },
        owner: { S: 'bench' },
        fileName: { S: fileName },
        contentType: { S: contentType },
        sizeBytes: { N: String(sizeBytes) },
        sourceKey: { S: key },
        status: { S: 'AWAITING_UPLOAD' },
        createdAt: { S: new Date().toISOString() },
      },
      ConditionExpression: 'attribute_not_exists(id)',
    }),
  );
  // Bound like vodflow's URL: this key, this type and size, and only while nothing is there yet.
  const url = await getSignedUrl(
    s3,
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: key,
      ContentType: contentType,
      ContentLength: sizeBytes,
      IfNoneMatch: '*',
    }),
    // The presigner leaves Content-Type unsigned unless it is named here.
    { expiresIn: URL_LIFETIME_SECONDS, signableHeaders: new Set(['content-type']) },
  );
  return {
    id,
    status: 'AWAITING_UPLOAD',
    upload: {
      url,
      method: 'PUT',
      headers: { 'Content-Type': contentType, 'Content-Length': String(sizeBytes), 'If-None-Match': '*' },
    },
  };
}

function reply(response, status, body) {
  const json = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(json),
  });
  response.end(json);
}

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let length = 0;
    request.on('data', (chunk) => {
      length += chunk.length;
      if (length > MAX_BODY) {
        reject(Object.assign(new Error('The body is over 1 MiB'), { status: 413 }));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

async function handle(request, response) {
  if (request.method !== 'POST' || request.url !== '/videos') {
    reply(response, 404, { message: 'Not found' });
    return;
  }
  let body;
  try {
    body = JSON.parse(await readBody(request));
  } catch (e) {
    reply(response, e.status || 400, { message: e.status ? e.message : 'The body is not JSON' });
    return;
  }
  const refused = problem(body);
  if (refused) {
    reply(response, 400, { message: refused });
    return;
  }
  try {
    reply(response, 201, await create(body));
  } catch (e) {
    // One line per failure, as a Lambda function logs to CloudWatch; no details to the client.
    console.error(JSON.stringify({ level: 'ERROR', message: 'create failed', error: String(e) }));
    reply(response, 500, { message: 'Internal error' });
  }
}

http
  .createServer((request, response) => {
    handle(request, response);
  })
  .listen(PORT, '127.0.0.1', () => {
    console.log(JSON.stringify({ level: 'INFO', message: `listening on ${PORT}` }));
  });
