import { ApiCalls, chunk } from '../../../lambda/aws/api-calls';
import { AwsCallError } from '../../../lambda/errors';

describe('ApiCalls', () => {
  it('never has more calls in flight than its bound', async () => {
    const calls = new ApiCalls(3);
    let inFlight = 0;
    let highest = 0;
    const slowCall = async (): Promise<{ $metadata: { attempts: number } }> => {
      inFlight += 1;
      highest = Math.max(highest, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      return { $metadata: { attempts: 1 } };
    };

    await Promise.all(Array.from({ length: 20 }, () => calls.send('ECR.DescribeImages', 'repository app', slowCall)));

    expect(highest).toBe(3);
    expect(calls.stats()).toEqual({ byOperation: { 'ECR.DescribeImages': 20 }, total: 20, retries: 0 });
  });

  it('counts calls by operation and the retries the SDK reports, failures included', async () => {
    const calls = new ApiCalls(2);
    const failure = Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: { attempts: 1 } });

    await calls.send('ECS.ListTasks', 'cluster a', () => Promise.resolve({ $metadata: { attempts: 3 } }));
    await expect(calls.send('ECS.ListTasks', 'cluster b', () => Promise.reject(failure))).rejects.toThrow(
      new AwsCallError('ECS.ListTasks', 'cluster b', failure),
    );

    expect(calls.stats()).toEqual({ byOperation: { 'ECS.ListTasks': 2 }, total: 2, retries: 2 });
  });

  it('names the operation, the target and the AWS error code when a call fails', async () => {
    const calls = new ApiCalls(1);
    const failure = Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' });

    const error = await calls.send('ECR.DescribeImages', 'repository app', () => Promise.reject(failure)).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as AwsCallError).message).toBe('ECR.DescribeImages failed for repository app: AccessDeniedException: User is not authorized');
    expect((error as AwsCallError).code).toBe('AccessDeniedException');
    expect((error as AwsCallError).cause).toBe(failure);
  });
});

describe('chunk', () => {
  it('splits into chunks of at most the given size', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 100)).toEqual([]);
  });
});
