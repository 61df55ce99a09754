import { AppException } from './app.exception';
import { createValidationPipe } from './validation.pipe';
import { IsInt, IsString } from 'class-validator';

class Sample {
  @IsString()
  name: string;

  @IsInt()
  count: number;
}

describe('createValidationPipe', () => {
  it('reports every problem, unknown fields included, as Request_ValidationFailed', async () => {
    const pipe = createValidationPipe();
    const error = await pipe.transform({ name: 1, extra: true }, { type: 'body', metatype: Sample }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppException);
    const exception = error as AppException;
    expect(exception.slug).toBe('Request_ValidationFailed');
    expect(exception.options.errors).toEqual(
      expect.arrayContaining([
        'name must be a string',
        'count must be an integer number',
        'property extra should not exist',
      ]),
    );
  });
});
