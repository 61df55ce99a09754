import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { proxyConfig, type ProxyConfig } from '@app/config';
import { Agent } from 'undici';
import { DestinationPolicy } from '../destination-policy';
import { createGuardedLookup } from './guarded-lookup';

/** The User-Agent of every request the proxy sends on its own account (upstream calls, sources, tokens). */
export const UPSTREAM_USER_AGENT = 'proxy-execute/0.1';

/**
 * The one outbound connection pool: undici keeps a keep-alive pool per origin with bounded
 * connections, dials only addresses the destination policy allows, never uses HTTP(S)_PROXY
 * (checklist S17), and takes no connect options from callers (S18).
 */
@Injectable()
export class UpstreamAgent implements OnApplicationShutdown {
  readonly agent: Agent;

  constructor(@Inject(proxyConfig.KEY) config: ProxyConfig, policy: DestinationPolicy) {
    if (config.forwardProxyVariables.length > 0) {
      // A forward proxy would be dialled instead of the target, and the destination policy would
      // judge the proxy's address (checklist S17): the agent ignores these variables on purpose.
      new Logger('UpstreamAgent').warn(
        `${config.forwardProxyVariables.join(', ')} set: ignored, upstream calls always go direct`,
      );
    }
    this.agent = new Agent({
      connections: config.maxConnectionsPerOrigin,
      keepAliveTimeout: 30_000,
      headersTimeout: config.timeoutMs,
      bodyTimeout: config.timeoutMs,
      connect: {
        timeout: config.connectTimeoutMs,
        lookup: createGuardedLookup(policy),
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent.close();
  }
}
