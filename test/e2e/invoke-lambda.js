// Loads a bundled handler the way the Lambda runtime does (require index.js, call exports.handler with an
// event and a context), and writes the outcome to the file named by the second argument. The function's
// own logs go to stdout and stderr, as they would to CloudWatch.
const { writeFileSync } = require('node:fs');
const path = require('node:path');

const [bundleDir, outcomeFile] = process.argv.slice(2);
const started = Date.now();
const context = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:123456789012:function:${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
  awsRequestId: 'e2e-request-0001',
  logGroupName: `/aws/lambda/${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
  logStreamName: 'e2e',
  getRemainingTimeInMillis: () => Number(process.env.TIMEOUT_MS) - (Date.now() - started),
};
const event = { source: 'aws.scheduler', 'detail-type': 'Scheduled Event' };

const { handler } = require(path.join(bundleDir, 'index.js'));
handler(event, context).then(
  (result) => writeFileSync(outcomeFile, JSON.stringify({ result })),
  (error) => writeFileSync(outcomeFile, JSON.stringify({ error: { name: error.name, message: error.message } })),
);
