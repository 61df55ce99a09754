import { AppException } from './app.exception';
import { createValidationPipe } from './validation.pipe';
import { Type } from 'class-transformer';
import { IsInt, IsString, ValidateNested } from 'class-validator';

class Sample {
  @IsString()
  name: string;

  @IsInt()
  count: number;
}

class Parent {
  @ValidateNested()
  @Type(() => Sample)
  child: Sample;
}

async function errorsOf(value: unknown, metatype: new () => object): Promise<unknown> {
  const error = await createValidationPipe()
    .transform(value, { type: 'body', metatype })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  return (error as AppException).options.errors;
}

describe('createValidationPipe', () => {
  it('names unknown fields by their full path, whatever their names hold', async () => {
    expect(await errorsOf({ child: { name: 'a', count: 1, e: 1, $$: 2 }, '$&': 3 }, Parent)).toEqual(
      expect.arrayContaining([
        'property child.e should not exist',
        'property child.$$ should not exist',
        'property $& should not exist',
      ]),
    );
  });

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
