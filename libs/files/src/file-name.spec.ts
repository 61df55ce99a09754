import { attachmentDisposition, fileNameFromDisposition } from './file-name';

describe(fileNameFromDisposition.name, () => {
  it.each([
    ['attachment; filename="report.pdf"', 'report.pdf'],
    ['attachment; filename=report.pdf; size=3', 'report.pdf'],
    [`attachment; filename="fallback.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`, 'résumé.pdf'],
    ['attachment; filename="../../etc/passwd"', 'passwd'],
    ['attachment; filename="C:\\\\temp\\\\a.txt"', 'a.txt'],
    ['attachment; filename="a\r\nb.pdf"', 'a__b.pdf'],
    ['attachment; filename="..hidden"', 'hidden'],
  ])('reads %j as %j', (header, expected) => {
    expect(fileNameFromDisposition(header)).toBe(expected);
  });

  it.each([undefined, '', 'inline', 'attachment; filename=""', 'attachment; filename="../"'])(
    'answers null for %j',
    (header) => {
      expect(fileNameFromDisposition(header)).toBeNull();
    },
  );

  it('keeps at most 255 characters', () => {
    expect(fileNameFromDisposition(`attachment; filename="${'a'.repeat(300)}"`)).toHaveLength(255);
  });
});

describe(attachmentDisposition.name, () => {
  it('gives an ASCII fallback and the UTF-8 name', () => {
    expect(attachmentDisposition('résumé.pdf')).toBe(
      `attachment; filename="r_sum_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`,
    );
  });

  it('is a bare attachment without a name', () => {
    expect(attachmentDisposition(null)).toBe('attachment');
  });
});
