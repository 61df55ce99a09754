export * from './api-key-format';
export * from './api-key.guard';
export * from './api-keys.service';
export * from './auth.decorators';
export * from './auth.module';
export * from './principal';
export * from './projects.service';
export * from './scopes';
