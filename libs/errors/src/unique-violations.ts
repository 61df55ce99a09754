import type { ErrorSlug } from './error-catalogue';

/**
 * Unique-constraint violations the API answers as a client error, keyed by constraint name. Feature
 * modules register their own constraints so the filter need not know their tables.
 */
const slugsByConstraint = new Map<string, ErrorSlug>();

export function registerUniqueViolation(constraint: string, slug: ErrorSlug): void {
  slugsByConstraint.set(constraint, slug);
}

export function uniqueViolationSlug(error: unknown): ErrorSlug | undefined {
  const driverError = (error as { driverError?: { code?: string; constraint?: string } } | null)?.driverError;
  if (driverError?.code !== '23505' || !driverError.constraint) return undefined;
  return slugsByConstraint.get(driverError.constraint);
}
