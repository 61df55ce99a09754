import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { proxyConfig, type ProxyConfig } from '@app/config';
import { AppException } from '@app/errors';
import {
  BinarySourceFetcher,
  type OpenedSource,
  toSourceException,
  UploadTooLargeError,
} from './binary-source';
import type { BinaryBodyDto, ExecuteProxyRequestDto, MultipartPartDto } from './dto/execute-proxy.dto';
import { encodeMultipart, type MultipartPart } from './multipart';
import type { CallDeadline } from './transport/call-deadline';
import { ByteBudget } from './transport/capped-body';

/** The raw request body of a call: `binary_body` or `multipart`, ready to send. */
export interface Upload {
  body: Buffer | Readable;
  contentType: string;
  /** Bytes in all, when known (always for a Buffer); a stream of unknown length goes chunked. */
  length?: number;
  /**
   * The envelope for an upstream call that failed because one of the upload's sources did (its
   * body broke off or passed the limit); undefined when the sources are not to blame.
   */
  sourceFailure(): AppException | undefined;
  /** Releases the sources' connections (a no-op for those read to the end). */
  dispose(): void;
}

// A plain character run plus a length check: a repeated group (`(?:[…]{4})*`) overflows V8's regexp
// stack on uploads of a few megabytes.
const BASE64_CHARACTERS = /^[A-Za-z0-9+/]*={0,2}$/;
const OCTET_STREAM = 'application/octet-stream';

/**
 * Turns `binary_body` ({base64} or {url}) and `multipart` into the bytes to send. Base64 is decoded
 * once, strictly; URL sources are opened (status and declared size checked before anything goes
 * upstream) and then streamed into the upstream request, never held whole. One budget of
 * PROXY_MAX_UPLOAD_BYTES covers everything an upload carries.
 */
@Injectable()
export class UploadBodyBuilder {
  constructor(
    private readonly sources: BinarySourceFetcher,
    @Inject(proxyConfig.KEY) private readonly config: ProxyConfig,
  ) {}

  /**
   * The request's upload, or undefined (not a promise) when it has none: most calls have none and
   * need not wait a turn for it. `signal` is the call's deadline.
   */
  build(request: ExecuteProxyRequestDto, signal: CallDeadline): Promise<Upload> | undefined {
    if (request.binary_body) return this.binaryBody(request.binary_body, signal);
    if (request.multipart) return this.multipart(request.multipart, request, signal);
    return undefined;
  }

  private async binaryBody(binary: BinaryBodyDto, signal: CallDeadline): Promise<Upload> {
    const budget = new ByteBudget(this.config.maxUploadBytes);
    const content = await this.content(binary, 'binary_body', budget, signal);
    if (Buffer.isBuffer(content)) {
      return inMemory(content, binary.content_type ?? OCTET_STREAM);
    }
    return fromSources(
      content.body,
      binary.content_type ?? content.contentType ?? OCTET_STREAM,
      content.length,
      [['binary_body.url', content]],
    );
  }

  private async multipart(
    parts: MultipartPartDto[],
    request: ExecuteProxyRequestDto,
    signal: CallDeadline,
  ): Promise<Upload> {
    const budget = new ByteBudget(this.config.maxUploadBytes);
    const encoded: MultipartPart[] = [];
    const opened: Array<[string, OpenedSource]> = [];
    try {
      for (const [index, part] of parts.entries()) {
        const field = `multipart[${index}]`;
        if (part.value !== undefined) {
          const value = Buffer.from(String(part.value));
          if (!budget.take(value.length)) throw tooLarge(budget.limit);
          encoded.push({ name: part.name, contentType: part.content_type, content: value });
          continue;
        }
        const content = await this.content(part, field, budget, signal);
        if (!Buffer.isBuffer(content)) opened.push([`${field}.url`, content]);
        encoded.push({
          name: part.name,
          filename: part.filename ?? part.name,
          contentType:
            part.content_type ?? (Buffer.isBuffer(content) ? undefined : content.contentType) ?? OCTET_STREAM,
          content,
        });
      }
    } catch (error) {
      for (const [, source] of opened) source.body.destroy();
      throw error;
    }
    const boundary = `----ProxyExecute${randomBytes(16).toString('hex')}`;
    const { body, length } = encodeMultipart(encoded, boundary);
    const contentType = `${multipartType(request)}; boundary=${boundary}`;
    return Buffer.isBuffer(body)
      ? inMemory(body, contentType)
      : fromSources(body, contentType, length, opened);
  }

  /** A part's bytes: base64 decoded (and counted), or the URL's body opened (and capped). */
  private async content(
    part: { base64?: string; url?: string },
    field: string,
    budget: ByteBudget,
    signal: CallDeadline,
  ): Promise<Buffer | OpenedSource> {
    if (part.url !== undefined && part.base64 !== undefined) {
      throw invalid(`${field} takes either base64 or url, not both`);
    }
    if (part.url !== undefined) return this.sources.open(part.url, `${field}.url`, budget, signal);
    if (part.base64 === undefined) throw invalid(`${field} needs base64 or url`);
    return decodeBase64(part.base64, `${field}.base64`, budget);
  }
}

function decodeBase64(base64: string, field: string, budget: ByteBudget): Buffer {
  if (base64.length % 4 !== 0 || !BASE64_CHARACTERS.test(base64)) {
    throw invalid(`${field} is not valid base64`);
  }
  // Refused before decoding anything: the decoded size is known from the text.
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  if (!budget.take((base64.length / 4) * 3 - padding)) throw tooLarge(budget.limit);
  return Buffer.from(base64, 'base64');
}

/**
 * The multipart subtype: form-data, unless the caller's own content-type names another multipart
 * subtype (multipart/related for Google Drive uploads, say). The boundary is always ours.
 */
function multipartType(request: ExecuteProxyRequestDto): string {
  const header = (request.parameters ?? []).find(
    (p) => (p.type ?? p.in) === 'header' && p.name.toLowerCase() === 'content-type',
  );
  const mime = header ? String(header.value).split(';')[0].trim().toLowerCase() : '';
  return /^multipart\/[a-z0-9.+-]+$/.test(mime) ? mime : 'multipart/form-data';
}

function inMemory(body: Buffer, contentType: string): Upload {
  return {
    body,
    contentType,
    length: body.length,
    sourceFailure: () => undefined,
    dispose: () => undefined,
  };
}

function fromSources(
  body: Readable,
  contentType: string,
  length: number | undefined,
  sources: Array<[string, OpenedSource]>,
): Upload {
  return {
    body,
    contentType,
    length,
    sourceFailure: () => {
      for (const [field, source] of sources) {
        const failure = source.failure();
        if (failure) return toSourceException(failure, field);
      }
      return undefined;
    },
    dispose: () => {
      body.destroy();
      for (const [, source] of sources) source.body.destroy();
    },
  };
}

function invalid(problem: string): AppException {
  return new AppException('ExternalProxy_BinaryBodyInvalid', { errors: [problem] });
}

function tooLarge(limit: number): AppException {
  return toSourceException(new UploadTooLargeError(limit), 'upload');
}
