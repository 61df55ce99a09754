import type { Scope } from './scopes';

/** Who is calling: the API key's id, its project and what it may do. */
export interface Principal {
  keyId: string;
  projectId: string;
  scopes: ReadonlySet<Scope>;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}
