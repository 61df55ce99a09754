export * from './files.module';
export * from './files.service';
export * from './files-sweeper';
