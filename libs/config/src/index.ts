export * from './app.config';
export * from './auth.config';
export * from './config.module';
export * from './crypto.config';
export * from './database.config';
export * from './env';
export * from './oauth.config';
export * from './proxy.config';
