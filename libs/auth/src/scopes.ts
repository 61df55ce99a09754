export const SCOPES = [
  'proxy:execute',
  'connected_accounts:read',
  'connected_accounts:write',
  'api_keys:manage',
  'projects:manage',
] as const;
export type Scope = (typeof SCOPES)[number];

/** What a new project's first key may do: everything but creating further projects. */
export const PROJECT_KEY_SCOPES: Scope[] = SCOPES.filter((s) => s !== 'projects:manage');
