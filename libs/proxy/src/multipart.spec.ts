import { Readable } from 'node:stream';
import { encodeMultipart } from './multipart';
import { readAll } from './transport/capped-body';

const BOUNDARY = 'b0undary';

describe(encodeMultipart.name, () => {
  it('encodes fields and files per RFC 7578, in memory when every part is', () => {
    const { body, length } = encodeMultipart(
      [
        { name: 'text', content: Buffer.from('hello') },
        { name: 'file', filename: 'a.bin', contentType: 'application/x-a', content: Buffer.from([0, 1, 2]) },
      ],
      BOUNDARY,
    );
    expect(Buffer.isBuffer(body)).toBe(true);
    const expected = Buffer.concat([
      Buffer.from('--b0undary\r\nContent-Disposition: form-data; name="text"\r\n\r\nhello\r\n'),
      Buffer.from(
        '--b0undary\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\nContent-Type: application/x-a\r\n\r\n',
      ),
      Buffer.from([0, 1, 2]),
      Buffer.from('\r\n--b0undary--\r\n'),
    ]);
    expect(body).toEqual(expected);
    expect(length).toBe(expected.length);
  });

  it('streams parts in order, with the total length when every stream declares its own', async () => {
    const streamed = encodeMultipart(
      [
        { name: 'a', content: { body: Readable.from([Buffer.from('12'), Buffer.from('345')]), length: 5 } },
        { name: 'b', content: Buffer.from('x') },
      ],
      BOUNDARY,
    );
    expect(Buffer.isBuffer(streamed.body)).toBe(false);
    const bytes = await readAll(streamed.body as Readable);
    expect(bytes.toString()).toBe(
      '--b0undary\r\nContent-Disposition: form-data; name="a"\r\n\r\n12345\r\n' +
        '--b0undary\r\nContent-Disposition: form-data; name="b"\r\n\r\nx\r\n--b0undary--\r\n',
    );
    expect(streamed.length).toBe(bytes.length);
  });

  it('has no length when one stream has none', () => {
    const { length } = encodeMultipart(
      [{ name: 'a', content: { body: Readable.from([Buffer.from('1')]) } }],
      BOUNDARY,
    );
    expect(length).toBeUndefined();
  });

  it('escapes quotes and line breaks in names, and drops line breaks from content types', () => {
    const { body } = encodeMultipart(
      [
        {
          name: 'a"\r\nb',
          filename: '"x"\n',
          contentType: 'text/plain\r\nX-Evil: 1',
          content: Buffer.from(''),
        },
      ],
      BOUNDARY,
    );
    expect((body as Buffer).toString()).toContain(
      'name="a%22%0D%0Ab"; filename="%22x%22%0A"\r\nContent-Type: text/plainX-Evil: 1\r\n\r\n',
    );
  });
});
