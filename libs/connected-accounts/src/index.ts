export * from './auth-schemes/auth-scheme';
export { applyCredentials, AUTH_SCHEME_NAMES, type AuthSchemeName } from './auth-schemes/registry';
export type { ResolvedAccount } from './connected-account-cache';
export * from './connected-accounts.module';
export * from './connected-accounts.service';
export { CredentialDecryptionError } from './credential-cipher';
export * from './key-rotation.service';
export * from './http-header-rules';
