import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { defineNamespace, readEnv, toInteger } from './env';

const CIDR = String.raw`[0-9A-Fa-f:.]+\/\d{1,3}`;

class ProxyEnv {
  /** Destinations the proxy may reach although they are not public unicast, e.g. `10.0.0.0/8,127.0.0.0/8`. */
  @IsOptional()
  @Matches(new RegExp(`^\\s*${CIDR}(\\s*,\\s*${CIDR})*\\s*$`), {
    message: 'must be a comma-separated list of CIDRs such as 10.0.0.0/8,fd00::/8',
  })
  PROXY_ALLOWED_CIDRS?: string;

  @Transform(toInteger)
  @IsInt()
  @Min(100)
  @Max(120_000)
  PROXY_CONNECT_TIMEOUT_MS = 5_000;

  /** Deadline of a whole upstream call (connect, headers and body); a request may ask for less. */
  @Transform(toInteger)
  @IsInt()
  @Min(100)
  @Max(600_000)
  PROXY_TIMEOUT_MS = 30_000;

  @Transform(toInteger)
  @IsInt()
  @Min(1024)
  PROXY_MAX_RESPONSE_BYTES = 50 * 1024 * 1024;

  /** Decoded `binary_body` limit; the proxy route's request body limit follows from it. */
  @Transform(toInteger)
  @IsInt()
  @Min(1024)
  PROXY_MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(4096)
  PROXY_MAX_CONNECTIONS_PER_ORIGIN = 128;
}

export const { config: proxyConfig, validate: validateProxyEnv } = defineNamespace(
  'proxy',
  (env) => readEnv(ProxyEnv, env),
  (env) => ({
    allowedCidrs: (env.PROXY_ALLOWED_CIDRS ?? '')
      .split(',')
      .map((cidr) => cidr.trim())
      .filter(Boolean),
    connectTimeoutMs: env.PROXY_CONNECT_TIMEOUT_MS,
    timeoutMs: env.PROXY_TIMEOUT_MS,
    maxResponseBytes: env.PROXY_MAX_RESPONSE_BYTES,
    maxUploadBytes: env.PROXY_MAX_UPLOAD_BYTES,
    maxConnectionsPerOrigin: env.PROXY_MAX_CONNECTIONS_PER_ORIGIN,
    /** The outbound agent never uses a forward proxy; set, these only earn a warning at start. */
    forwardProxyVariables: ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'].filter(
      (name) => process.env[name],
    ),
  }),
);
export type ProxyConfig = ReturnType<typeof proxyConfig>;
