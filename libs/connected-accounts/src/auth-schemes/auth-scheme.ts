export type Credentials = Record<string, unknown>;

/** Where a scheme puts credentials on an outgoing request. Header names are written lower-case. */
export interface CredentialTarget {
  headers: Record<string, string>;
  query: URLSearchParams;
}

/** One way of authenticating to an upstream; registered once in `registry.ts`. */
export interface AuthScheme {
  readonly name: string;
  /** Every problem with `credentials`, each naming its field (`credentials.token …`); empty when they fit. */
  validate(credentials: unknown): string[];
  /** Adds the credentials to a request. Only ever called with credentials that passed `validate`. */
  apply(credentials: Credentials, target: CredentialTarget): void;
  /** What a read may show: secrets masked, the rest as stored. */
  mask(credentials: Credentials): Credentials;
  /** The form to store valid credentials in (e.g. `expires_in` turned into `expires_at`). */
  normalize?(credentials: Credentials, now: Date): Credentials;
}
