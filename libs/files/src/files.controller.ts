import { Controller, Get, Header, Param, Query, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Public } from '@app/auth';
import { ApiErrors, versionedPaths } from '@app/errors';
import { attachmentDisposition } from './file-name';
import { FilesService } from './files.service';

@ApiTags('Files')
@Controller({ path: versionedPaths('files') })
export class FilesController {
  constructor(private readonly files: FilesService) {}

  /**
   * Download a file: the bytes of a binary upstream answer, from the signed link in
   * `binary_data.url`. Needs no API key: the link itself is the credential, until it expires.
   */
  @Get(':id')
  @Public()
  // Served from the API's own origin: never sniffed, never rendered in place, never cached.
  @Header('x-content-type-options', 'nosniff')
  @Header('cache-control', 'private, no-store')
  @Header('content-security-policy', "default-src 'none'; sandbox")
  @ApiQuery({
    name: 'expires',
    type: Number,
    description: 'Expiry of the link, unix seconds.',
    example: 1767225600,
  })
  @ApiQuery({ name: 'signature', description: 'HMAC-SHA256 of the id and expiry, base64url.' })
  @ApiOkResponse({
    description: 'The stored bytes, with the upstream content type and file name.',
    content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiErrors('File_InvalidSignature', 'File_NotFound', 'File_LinkExpired', 'Internal_ServerError')
  async downloadFile(
    @Param('id') id: string,
    @Query('expires') expires?: string,
    @Query('signature') signature?: string,
  ): Promise<StreamableFile> {
    const file = await this.files.download(id, expires, signature);
    return new StreamableFile(file.data, {
      type: file.contentType,
      length: file.size,
      disposition: attachmentDisposition(file.fileName),
    });
  }
}
