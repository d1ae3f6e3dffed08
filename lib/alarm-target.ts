/**
 * The checks of where alarms go: an e-mail address for a new topic, or an existing topic's ARN. Pure:
 * each returns why the value cannot be used, or undefined; the callers name the prop or the context key.
 */

/** An address, for messages. */
export const ALARM_EMAIL_EXAMPLE = 'platform-alerts@example.com';
/** A topic ARN, for messages. */
export const ALARM_TOPIC_ARN_EXAMPLE = 'arn:aws:sns:eu-west-2:123456789012:platform-alerts';

/** Why `address` is not one e-mail address, or undefined when it is one. */
export function checkAlarmEmail(address: string): string | undefined {
  const trimmed = address.trim();
  if (/[,;\s]/.test(trimmed)) return 'give one address; to reach more people, use a mailing list, or subscribe them to the topic (the AlarmTopicArn output)';
  const [local, domain, ...more] = trimmed.split('@');
  if (domain === undefined || more.length > 0) return 'an address has one "@"';
  if (local === '') return 'there is nothing before the "@"';
  if (!/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/.test(domain)) return `"${domain}" is not a domain, such as example.com`;
  return undefined;
}

/** Why `arn` is not the ARN of an SNS topic, or undefined when it is one. */
export function checkTopicArn(arn: string): string | undefined {
  if (!arn.startsWith('arn:')) return 'give the topic\'s whole ARN, not its name (aws sns list-topics prints it)';
  const parts = arn.split(':');
  if (parts.length !== 6) return 'an SNS topic ARN has six parts separated by ":" (arn:partition:sns:region:account:name)';
  const [, partition, service, region, account, name] = parts;
  if (!/^aws(-[a-z]+)*$/.test(partition)) return `"${partition}" is not an AWS partition, such as aws`;
  if (service !== 'sns') return `it is an ARN of ${service === '' ? 'no service' : `"${service}"`}, not of an SNS topic`;
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) return `"${region}" is not a region, such as eu-west-2`;
  if (!/^\d{12}$/.test(account)) return `"${account}" is not an account id of 12 digits`;
  if (!/^[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(name)) return `"${name}" is not a topic name (1 to 256 letters, digits, hyphens and underscores)`;
  return undefined;
}
