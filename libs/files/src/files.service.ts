import { Inject, Injectable } from '@nestjs/common';
import { appConfig, type AppConfig, filesConfig, type FilesConfig } from '@app/config';
import { AppException } from '@app/errors';
import { createHash } from 'node:crypto';
import { generateFileId, isFileId } from './file-id';
import { FileLinkSigner } from './file-link-signer';
import { fileNameFromDisposition } from './file-name';
import { FilesRepository } from './files.repository';

/** `binary_data` of a proxy answer (wire contract §3). */
export interface BinaryData {
  url: string;
  content_type: string;
  size: number;
  /** When the link stops working (not when the bytes are deleted). */
  expires_at: string;
}

export interface DownloadableFile {
  contentType: string;
  size: number;
  fileName: string | null;
  data: Buffer;
}

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

@Injectable()
export class FilesService {
  constructor(
    private readonly files: FilesRepository,
    private readonly signer: FileLinkSigner,
    @Inject(filesConfig.KEY) private readonly config: FilesConfig,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
  ) {}

  /**
   * Stores an upstream's binary answer and returns its signed link. `requestOrigin` (the caller's
   * scheme and host) is the link's origin unless PUBLIC_BASE_URL is set.
   */
  async store(
    projectId: string,
    upstream: { bytes: Buffer; contentType?: string; contentDisposition?: string },
    requestOrigin: string,
    now = new Date(),
  ): Promise<BinaryData> {
    const id = generateFileId();
    const contentType = (upstream.contentType?.trim() || DEFAULT_CONTENT_TYPE).slice(0, 255);
    await this.files.insertForProject(projectId, {
      id,
      contentType,
      size: upstream.bytes.length,
      sha256: createHash('sha256').update(upstream.bytes).digest('hex'),
      fileName: fileNameFromDisposition(upstream.contentDisposition),
      expiresAt: new Date(now.getTime() + this.config.retentionSeconds * 1000),
      data: upstream.bytes,
    });
    const expires = Math.floor(now.getTime() / 1000) + this.linkTtlSeconds();
    return {
      url: this.signedUrl(id, expires, requestOrigin),
      content_type: contentType,
      size: upstream.bytes.length,
      expires_at: new Date(expires * 1000).toISOString(),
    };
  }

  /** A signed link for `id` that works until `expires` (unix seconds). */
  signedUrl(id: string, expires: number, requestOrigin: string): string {
    const origin = (this.app.publicBaseUrl ?? requestOrigin).replace(/\/+$/, '');
    const query = new URLSearchParams({ expires: String(expires), signature: this.signer.sign(id, expires) });
    return `${origin}/api/v3/files/${encodeURIComponent(id)}?${query.toString()}`;
  }

  /**
   * The bytes behind a signed link. The signature is checked before the expiry, so a link whose
   * expiry was edited is a signature error, not an expired link.
   */
  async download(
    id: string,
    expires: string | undefined,
    signature: string | undefined,
    now = new Date(),
  ): Promise<DownloadableFile> {
    if (expires === undefined || signature === undefined || !this.signer.verify(id, expires, signature)) {
      throw new AppException('File_InvalidSignature');
    }
    if (Number(expires) * 1000 <= now.getTime()) throw new AppException('File_LinkExpired');
    const file = isFileId(id) ? await this.files.findLiveWithData(id, now) : null;
    if (!file) throw new AppException('File_NotFound');
    return { contentType: file.contentType, size: file.size, fileName: file.fileName, data: file.data };
  }

  /** A link never outlives the bytes it points to. */
  private linkTtlSeconds(): number {
    return Math.min(this.config.urlTtlSeconds, this.config.retentionSeconds);
  }
}
