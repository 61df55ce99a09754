import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { databaseConfig, type DatabaseConfig, filesConfig, type FilesConfig } from '@app/config';
import { FileChunkEntity } from './entities/file-chunk.entity';
import { StoredFileEntity } from './entities/stored-file.entity';
import { FileLinkSigner } from './file-link-signer';
import { FilesController } from './files.controller';
import { FilesRepository } from './files.repository';
import { loadFilesSigningSecret } from './files-secret';
import { FilesService } from './files.service';
import { FilesSweeper } from './files-sweeper';

@Module({
  imports: [TypeOrmModule.forFeature([StoredFileEntity, FileChunkEntity])],
  controllers: [FilesController],
  providers: [
    FilesRepository,
    FilesService,
    FilesSweeper,
    {
      provide: FileLinkSigner,
      inject: [filesConfig.KEY, databaseConfig.KEY],
      useFactory: async (files: FilesConfig, database: DatabaseConfig) =>
        new FileLinkSigner(await loadFilesSigningSecret(files, database)),
    },
  ],
  exports: [FilesService, FilesSweeper],
})
export class FilesModule {}
