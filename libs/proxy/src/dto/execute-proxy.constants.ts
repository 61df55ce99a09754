export const PROXY_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'] as const;
export type ProxyMethod = (typeof PROXY_METHODS)[number];
export const PARAMETER_LOCATIONS = ['header', 'query'] as const;
export type ParameterLocation = (typeof PARAMETER_LOCATIONS)[number];
