import { ERROR_CATALOGUE } from './error-catalogue';

describe('ERROR_CATALOGUE', () => {
  const entries = Object.entries(ERROR_CATALOGUE);

  it('gives every slug a unique code', () => {
    const codes = entries.map(([, d]) => d.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('spells every slug differently even ignoring case', () => {
    const slugs = entries.map(([slug]) => slug.toLowerCase());
    expect(new Set(slugs).size).toBe(slugs.length);
  });

  it('has a suggested fix on every 4xx and a valid HTTP status everywhere', () => {
    for (const [slug, d] of entries) {
      expect({ slug, ok: d.status >= 400 && d.status <= 599 }).toEqual({ slug, ok: true });
      if (d.status < 500)
        expect({ slug, fix: typeof (d as { suggestedFix?: string }).suggestedFix }).toEqual({
          slug,
          fix: 'string',
        });
    }
  });
});
