import { HttpService } from '@nestjs/axios';
import { Axios } from 'axios';
import { Global, Module } from '@nestjs/common';
import { proxyConfig, type ProxyConfig } from '@app/config';
import { ConnectedAccountsModule, TOKEN_TRANSPORT } from '@app/connected-accounts';
import { FilesModule } from '@app/files';
import { BinarySourceFetcher } from './binary-source';
import { ProxyController } from './proxy.controller';
import { ProxyService } from './proxy.service';
import { isBinaryContentType } from './response-mapper';
import { UpstreamTokenTransport } from './token-transport';
import { UploadBodyBuilder } from './upload-body';
import { createUndiciAdapter } from './transport/undici-axios-adapter';
import { UpstreamAgent } from './transport/upstream-agent';
import { DestinationPolicy } from './destination-policy';

@Module({
  providers: [
    UpstreamAgent,
    // The one destination policy (PROXY_ALLOWED_CIDRS): the agent's lookup and every IP-literal check.
    {
      provide: DestinationPolicy,
      inject: [proxyConfig.KEY],
      useFactory: (config: ProxyConfig) => new DestinationPolicy(config.allowedCidrs),
    },
  ],
  exports: [UpstreamAgent, DestinationPolicy],
})
class UpstreamModule {}

/**
 * Global so that the OAuth2 refresher in connected-accounts can inject TOKEN_TRANSPORT without
 * importing the proxy (the dependency points proxy → connected-accounts).
 */
@Global()
@Module({
  imports: [UpstreamModule],
  providers: [UpstreamTokenTransport, { provide: TOKEN_TRANSPORT, useExisting: UpstreamTokenTransport }],
  exports: [TOKEN_TRANSPORT],
})
class TokenTransportModule {}

@Module({
  imports: [ConnectedAccountsModule, FilesModule, UpstreamModule, TokenTransportModule],
  controllers: [ProxyController],
  providers: [
    ProxyService,
    BinarySourceFetcher,
    UploadBodyBuilder,
    {
      provide: HttpService,
      inject: [UpstreamAgent],
      // `new Axios(defaults)` rather than axios.create(): axios merges the instance's defaults into
      // every request key by key, and the adapter is the only one this instance needs. The adapter
      // never follows redirects, resolves every status and leaves bodies as bytes (the proxy
      // encodes and decodes them itself), so axios' redirect, status and transform options do not apply.
      useFactory: (upstream: UpstreamAgent) =>
        new HttpService(
          new Axios({
            // Binary answers are streamed into storage instead of being read into memory first.
            adapter: createUndiciAdapter(upstream.agent, { streamWhen: isBinaryContentType }),
          }) as unknown as ConstructorParameters<typeof HttpService>[0],
        ),
    },
  ],
})
export class ProxyModule {}
