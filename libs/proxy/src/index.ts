export * from './destination-policy';
export * from './dto/execute-proxy.dto';
export * from './endpoint-resolver';
export * from './proxy.module';
export { PROXY_ROUTE_SUFFIX, proxyRequestBodyLimit } from './proxy.controller';
export * from './proxy.service';
