/**
 * The documented defaults, in one place: the cleaner's settings (`lambda/config.ts`) and the construct's
 * props (`lib/ecr-cleaner.ts`) both read them, so that the Lambda, the CLI and the README cannot drift.
 */
export const DEFAULTS = {
  /** The original tool's region, used only when nothing else names one. */
  region: 'eu-west-2',
  keepMinImageCount: 3,
  keepImagesNewerThanDays: 7,
  /** 0: the pull-time rule is off. */
  keepImagesPulledWithinDays: 0,
  keepServiceDeploymentImages: true,
  keepScheduledTaskImages: true,
  /** The newest ACTIVE revisions of each task definition family whose images are kept; 0 turns it off. */
  keepTaskDefinitionRevisions: 1,
  keepLambdaImages: true,
  /** The newest published versions of each container-image Lambda function whose images are kept. */
  keepLambdaVersions: 3,
  maxConcurrentCalls: 8,
  awsMaxAttempts: 8,
  slackMaxMessageLength: 4000,
  /**
   * US dollars per GB-month of ECR storage: the price in most regions (aws.amazon.com/ecr/pricing), as
   * AWS bills it, with a GB of 2^30 bytes.
   */
  storagePricePerGbMonth: 0.1,
  /** 0: no grace period; an image planned for deletion goes in the run that plans it. */
  gracePeriodDays: 0,
} as const;
