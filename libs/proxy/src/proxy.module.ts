import { HttpModule } from '@nestjs/axios';
import { Global, Module } from '@nestjs/common';
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

@Module({ providers: [UpstreamAgent], exports: [UpstreamAgent] })
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
  imports: [
    ConnectedAccountsModule,
    FilesModule,
    UpstreamModule,
    TokenTransportModule,
    HttpModule.registerAsync({
      imports: [UpstreamModule],
      inject: [UpstreamAgent],
      useFactory: (upstream: UpstreamAgent) => ({
        // Binary answers are streamed into storage instead of being read into memory first.
        adapter: createUndiciAdapter(upstream.agent, { streamWhen: isBinaryContentType }),
        maxRedirects: 0,
        validateStatus: () => true,
        // Bodies are encoded and decoded by the proxy itself: axios must not touch them.
        transformRequest: [],
        transformResponse: [],
        // No default Accept header: the caller decides what goes upstream.
        headers: { common: { Accept: null } } as never,
      }),
    }),
  ],
  controllers: [ProxyController],
  providers: [ProxyService, BinarySourceFetcher, UploadBodyBuilder],
})
export class ProxyModule {}
