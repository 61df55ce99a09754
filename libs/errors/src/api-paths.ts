/** Every route is served under both versions of the API, by the same handler (wire contract). */
export const API_VERSIONS = ['api/v3', 'api/v3.1'] as const;

export function versionedPaths(resource: string): string[] {
  return API_VERSIONS.map((version) => `${version}/${resource}`);
}
