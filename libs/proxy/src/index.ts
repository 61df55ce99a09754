export * from './destination-policy';
export * from './dto/execute-proxy.dto';
export * from './endpoint-resolver';
export * from './proxy.module';
export * from './proxy.service';
