import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { ConnectedAccountsModule } from '@app/connected-accounts';
import { ProxyController } from './proxy.controller';
import { ProxyService } from './proxy.service';
import { createUndiciAdapter } from './transport/undici-axios-adapter';
import { UpstreamAgent } from './transport/upstream-agent';

@Module({ providers: [UpstreamAgent], exports: [UpstreamAgent] })
class UpstreamModule {}

@Module({
  imports: [
    ConnectedAccountsModule,
    HttpModule.registerAsync({
      imports: [UpstreamModule],
      inject: [UpstreamAgent],
      useFactory: (upstream: UpstreamAgent) => ({
        adapter: createUndiciAdapter(upstream.agent),
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
  providers: [ProxyService],
})
export class ProxyModule {}
