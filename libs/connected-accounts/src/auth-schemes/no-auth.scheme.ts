import { FieldAuthScheme, type FieldRules } from './field-rules';

/** Public APIs: nothing is injected, and no credential field is accepted. */
export class NoAuthScheme extends FieldAuthScheme<Record<string, never>> {
  readonly name = 'NO_AUTH';
  protected readonly fields: FieldRules = {};

  apply(): void {
    // nothing to inject
  }
}
