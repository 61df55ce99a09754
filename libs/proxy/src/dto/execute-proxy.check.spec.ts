import fc from 'fast-check';
import { AppException, BODY_CHECK, createValidationPipe } from '@app/errors';
import { checkExecuteProxyRequest } from './execute-proxy.check';
import { ExecuteProxyRequestDto } from './execute-proxy.dto';

/** The DTO without its hand-written check: the pipe then runs class-transformer + class-validator. */
class DecoratorsOnly extends ExecuteProxyRequestDto {}
Object.defineProperty(DecoratorsOnly, BODY_CHECK, { value: undefined });

const pipe = createValidationPipe();

async function problems(value: unknown, metatype: typeof ExecuteProxyRequestDto): Promise<string[]> {
  try {
    await pipe.transform(value, { type: 'body', metatype });
    return [];
  } catch (error) {
    if (!(error instanceof AppException)) throw error;
    return [...(error.options.errors ?? ['(no errors listed)'])].sort();
  }
}

const absent = fc.constant(undefined);
const text = fc.oneof(fc.constantFrom('', 'a', 'ca_x', 'line\r\nbreak', 'x'.repeat(65)), fc.string());
const long = (n: number) => fc.constant('y'.repeat(n));
const scalar = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  text,
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof(absent, fc.constant(null), scalar, arb);

// Fastify's JSON parser refuses `__proto__` keys (400) before any validation: not generated here.
const notProto = (key: string): boolean => key !== '__proto__';

/** A record plus a few keys of any name (unknown fields, Object method names, `$&`…). */
const withStrangers = <T extends object>(record: fc.Arbitrary<T>) =>
  fc
    .tuple(
      record,
      fc.dictionary(
        fc.oneof(
          fc.string().filter(notProto),
          fc.constantFrom('toString', 'e', '$&', 'name', '0', 'prototype', 'constructor'),
        ),
        fc.jsonValue(),
        {
          maxKeys: 2,
        },
      ),
    )
    .map(([known, strangers]) => ({ ...strangers, ...known }));

const binaryBody = withStrangers(
  fc.record(
    {
      base64: maybe(fc.constant('AA==')),
      url: maybe(fc.oneof(text, long(8193))),
      content_type: maybe(fc.oneof(text, long(256))),
      extra: fc.jsonValue(),
    },
    { requiredKeys: [] },
  ),
);
const part = withStrangers(
  fc.record(
    {
      name: maybe(fc.oneof(text, long(257))),
      value: maybe(fc.constant('v')),
      base64: maybe(fc.constant('AA==')),
      url: maybe(text),
      filename: maybe(fc.oneof(text, long(256))),
      content_type: maybe(text),
      zzz: fc.jsonValue(),
    },
    { requiredKeys: [] },
  ),
);
const parameter = withStrangers(
  fc.record(
    {
      name: maybe(fc.oneof(text, long(257))),
      value: maybe(fc.constant('v')),
      type: maybe(fc.constantFrom('header', 'query', 'cookie')),
      in: maybe(fc.constantFrom('header', 'query', 'path')),
      extra: fc.jsonValue(),
    },
    { requiredKeys: [] },
  ),
);
const listOf = <T>(item: fc.Arbitrary<T>) =>
  fc.oneof(
    fc.array(fc.oneof(item, scalar), { maxLength: 3 }),
    fc.array(item, { minLength: 101, maxLength: 102 }),
    fc.dictionary(fc.constantFrom('a', 'b'), item),
    item,
  );

const request = withStrangers(
  fc.record(
    {
      endpoint: fc.oneof(fc.constant('/user'), maybe(fc.oneof(text, long(8193)))),
      method: fc.oneof(fc.constantFrom('GET', 'POST', 'HEAD'), maybe(fc.constantFrom('get', 'TRACE'))),
      connected_account_id: maybe(text),
      body: fc.jsonValue(),
      binary_body: maybe(fc.oneof(binaryBody, fc.array(binaryBody, { maxLength: 2 }))),
      multipart: maybe(listOf(part)),
      parameters: maybe(listOf(parameter)),
      custom_connection_data: fc.jsonValue(),
      timeout_ms: maybe(fc.constantFrom(1, 0, -1, 1.5, 5000, '5')),
      extra: fc.jsonValue(),
    },
    { requiredKeys: [] },
  ),
);

describe(checkExecuteProxyRequest.name, () => {
  it('reports exactly what the class-validator decorators report, on generated bodies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 9, arbitrary: request }, { weight: 1, arbitrary: fc.jsonValue() }),
        async (body) => {
          const input = JSON.parse(JSON.stringify(body ?? null), (key, value: unknown) =>
            notProto(key) ? value : undefined,
          ) as unknown;
          expect(await problems(input, ExecuteProxyRequestDto)).toEqual(
            await problems(input, DecoratorsOnly),
          );
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('accepts a full valid body and hands it on unchanged', async () => {
    const body = {
      endpoint: '/upload',
      method: 'POST',
      connected_account_id: 'ca_1',
      multipart: [{ name: 'f', base64: 'AA==', filename: 'a', content_type: 'text/plain' }],
      parameters: [{ name: 'x', value: 1, in: 'header' }],
      timeout_ms: 10,
    };
    await expect(pipe.transform(body, { type: 'body', metatype: ExecuteProxyRequestDto })).resolves.toBe(
      body,
    );
    expect(checkExecuteProxyRequest(body)).toEqual([]);
  });
});
