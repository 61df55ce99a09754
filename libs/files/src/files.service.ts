import { Inject, Injectable } from '@nestjs/common';
import {
  appConfig,
  type AppConfig,
  databaseConfig,
  type DatabaseConfig,
  filesConfig,
  type FilesConfig,
} from '@app/config';
import { AppException } from '@app/errors';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { generateFileId, isFileId } from './file-id';
import { FileLinkSigner } from './file-link-signer';
import { fileNameFromDisposition } from './file-name';
import { FilesRepository } from './files.repository';
import { StoreSlots, type WaitDeadline } from './store-slots';

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
  /** The bytes, streamed from the database as they are sent. */
  data: Readable;
}

/** An upstream's binary answer to store, and the deadline of the call it belongs to. */
export interface BinaryAnswer {
  body: Readable | Buffer;
  contentType?: string;
  contentDisposition?: string;
  deadline?: WaitDeadline;
}

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
/** Bytes per `file_chunks` row: what one store or one download holds in memory at a time. */
export const CHUNK_BYTES = 256 * 1024;

@Injectable()
export class FilesService {
  /** Half the pool writes binary answers at most: API key and account lookups keep connections. */
  private readonly slots: StoreSlots;

  constructor(
    private readonly files: FilesRepository,
    private readonly signer: FileLinkSigner,
    @Inject(filesConfig.KEY) private readonly config: FilesConfig,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    @Inject(databaseConfig.KEY) database: DatabaseConfig,
  ) {
    this.slots = new StoreSlots(Math.max(1, Math.floor(database.poolSize / 2)));
  }

  /**
   * Stores an upstream's binary answer as it arrives, CHUNK_BYTES at a time, and returns its signed link;
   * null when the body turns out to be empty (nothing is stored then). `requestOrigin` (the
   * caller's scheme and host) is the link's origin unless PUBLIC_BASE_URL is set. Should the body
   * fail half-way (a cap, a reset), what was written is deleted and the error rethrown.
   */
  async store(
    projectId: string,
    upstream: BinaryAnswer,
    requestOrigin: string,
    now = new Date(),
  ): Promise<BinaryData | null> {
    // Waits for a slot before reading a byte (see StoreSlots); the body's failure or the call's
    // deadline ends the wait.
    const release = await this.slots.acquire(
      Buffer.isBuffer(upstream.body) ? undefined : upstream.body,
      upstream.deadline,
    );
    try {
      return await this.write(projectId, upstream, requestOrigin, now);
    } finally {
      release();
    }
  }

  private async write(
    projectId: string,
    upstream: BinaryAnswer,
    requestOrigin: string,
    now: Date,
  ): Promise<BinaryData | null> {
    const id = generateFileId();
    const contentType = (upstream.contentType?.trim() || DEFAULT_CONTENT_TYPE).slice(0, 255);
    const hash = createHash('sha256');
    let size = 0;
    let seq = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async (): Promise<void> => {
      if (seq === 0) {
        await this.files.insertPending(projectId, {
          id,
          contentType,
          fileName: fileNameFromDisposition(upstream.contentDisposition),
          expiresAt: new Date(now.getTime() + this.config.retentionSeconds * 1000),
        });
      }
      await this.files.appendChunk(
        id,
        seq++,
        pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes),
      );
      pending = [];
      pendingBytes = 0;
    };
    try {
      const chunks = Buffer.isBuffer(upstream.body) ? [upstream.body] : upstream.body;
      for await (const chunk of chunks as AsyncIterable<Buffer>) {
        hash.update(chunk);
        size += chunk.length;
        // A chunk larger than CHUNK_BYTES (a Buffer body) is cut to size: no row is larger.
        for (let offset = 0; offset < chunk.length;) {
          const piece = chunk.subarray(offset, offset + CHUNK_BYTES - pendingBytes);
          pending.push(piece);
          pendingBytes += piece.length;
          offset += piece.length;
          if (pendingBytes === CHUNK_BYTES) await flush();
        }
      }
      if (size === 0) return null;
      if (pendingBytes > 0) await flush();
      await this.files.complete(id, size, hash.digest('hex'));
    } catch (error) {
      if (seq > 0) await this.files.remove(id).catch(() => undefined);
      throw error;
    }
    const expires = Math.floor(now.getTime() / 1000) + this.linkTtlSeconds();
    return {
      url: this.signedUrl(id, expires, requestOrigin),
      content_type: contentType,
      size,
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
    const file = isFileId(id) ? await this.files.findLive(id, now) : null;
    if (!file) throw new AppException('File_NotFound');
    return {
      contentType: file.contentType,
      size: file.size,
      fileName: file.fileName,
      data: Readable.from(this.chunksOf(file.id)),
    };
  }

  /** The bytes of a file, read one chunk at a time as the client takes them. */
  private async *chunksOf(fileId: string): AsyncGenerator<Buffer> {
    for (let seq = 0; ; seq++) {
      const chunk = await this.files.readChunk(fileId, seq);
      if (chunk === null) return;
      yield chunk;
    }
  }

  /** A link never outlives the bytes it points to. */
  private linkTtlSeconds(): number {
    return Math.min(this.config.urlTtlSeconds, this.config.retentionSeconds);
  }
}
