/**
 * Framing and headers: turns whole requests/responses into size-prefixed frames and back.
 *
 * Header rules (Kafka's): a request uses header v2 (with tagged fields) when its API version
 * is flexible, v1 otherwise (ControlledShutdown v0: v0); the client id stays an int16-length
 * nullable string even in v2. A response uses header v1 when flexible, v0 otherwise, except
 * ApiVersions responses, which always use v0 so any client can read them.
 * Frames given to the decoders are the message WITHOUT the 4-byte size prefix.
 */
import { ErrorCode, KafkaError } from './errors.js';
import { ApiKey, apiByKey, apiName, type ApiDefinition } from './apis.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';
import type { RequestOf, ResponseOf, TypedApiKey } from './types.js';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** Where the request body starts in the frame. */
  bodyOffset: number;
}

export interface DecodedResponse<T = unknown> {
  correlationId: number;
  body: T;
}

/** Kafka calls a version flexible from the first flexible version on, also for versions newer than it knows. */
function isFlexible(apiKey: number, apiVersion: number): boolean {
  const api = apiByKey(apiKey);
  return api !== undefined && apiVersion >= api.flexibleMinVersion;
}

export function requestHeaderVersion(apiKey: number, apiVersion: number): 0 | 1 | 2 {
  if (apiKey === ApiKey.ControlledShutdown && apiVersion === 0) return 0;
  return isFlexible(apiKey, apiVersion) ? 2 : 1;
}

export function responseHeaderVersion(apiKey: number, apiVersion: number): 0 | 1 {
  if (apiKey === ApiKey.ApiVersions) return 0;
  return isFlexible(apiKey, apiVersion) ? 1 : 0;
}

/** The API, if kts has schemas for it at this version; otherwise an UNSUPPORTED_VERSION KafkaError. */
export function supportedApi(apiKey: number, apiVersion: number): ApiDefinition {
  const api = apiByKey(apiKey);
  if (!api) throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `API ${apiName(apiKey)} (key ${apiKey}) is not supported`);
  if (!api.request.supports(apiVersion)) {
    throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `${api.name} v${apiVersion} is not supported (versions ${api.minVersion}-${api.maxVersion})`);
  }
  return api;
}

function writeRequest(w: Writer, apiKey: number, apiVersion: number, correlationId: number, clientId: string | null, body: unknown): void {
  const api = supportedApi(apiKey, apiVersion);
  const headerVersion = requestHeaderVersion(apiKey, apiVersion);
  w.int16(apiKey);
  w.int16(apiVersion);
  w.int32(correlationId);
  if (headerVersion >= 1) w.nullableString(clientId);
  if (headerVersion >= 2) w.uvarint(0);
  api.request.encode(w, apiVersion, body);
}

function framed(fill: (w: Writer) => void): Buffer[] {
  const w = new Writer();
  const slot = w.reserveInt32();
  fill(w);
  Writer.patchInt32(slot, w.length - 4);
  return w.toChunks();
}

function concat(chunks: Buffer[]): Buffer {
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** A size-prefixed request frame. */
export function encodeRequest(apiKey: number, apiVersion: number, correlationId: number, clientId: string | null, body: unknown): Buffer {
  return concat(encodeRequestChunks(apiKey, apiVersion, correlationId, clientId, body));
}

/** A size-prefixed request frame as chunks (large record buffers by reference). */
export function encodeRequestChunks(apiKey: number, apiVersion: number, correlationId: number, clientId: string | null, body: unknown): Buffer[] {
  return framed((w) => writeRequest(w, apiKey, apiVersion, correlationId, clientId, body));
}

/** Reads the request header; works for APIs and versions kts does not support, so the broker can answer them. */
export function decodeRequestHeader(frame: Buffer): RequestHeader {
  const r = new Reader(frame);
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const headerVersion = requestHeaderVersion(apiKey, apiVersion);
  const clientId = headerVersion >= 1 ? r.nullableString() : null;
  if (headerVersion >= 2) skipTaggedFields(r);
  return { apiKey, apiVersion, correlationId, clientId, bodyOffset: r.position };
}

function skipTaggedFields(r: Reader): void {
  const n = r.uvarint();
  for (let i = 0; i < n; i++) {
    r.uvarint();
    r.skip(r.uvarint());
  }
}

/** Decodes the body after `header`; UNSUPPORTED_VERSION KafkaError or ProtocolDecodeError on failure. */
export function decodeRequestBody(header: RequestHeader, frame: Buffer): unknown {
  const api = supportedApi(header.apiKey, header.apiVersion);
  return api.request.decode(new Reader(frame, header.bodyOffset), header.apiVersion);
}

/** Header and body of a request frame (without its size prefix). */
export function decodeRequest(frame: Buffer): { header: RequestHeader; body: unknown } {
  const header = decodeRequestHeader(frame);
  return { header, body: decodeRequestBody(header, frame) };
}

/** A size-prefixed response frame as chunks: header and small fields copied, record buffers by reference (for writev). */
export function encodeResponseChunks(apiKey: number, apiVersion: number, correlationId: number, body: unknown): Buffer[] {
  const api = supportedApi(apiKey, apiVersion);
  const headerVersion = responseHeaderVersion(apiKey, apiVersion);
  return framed((w) => {
    w.int32(correlationId);
    if (headerVersion >= 1) w.uvarint(0);
    api.response.encode(w, apiVersion, body);
  });
}

/** A size-prefixed response frame. */
export function encodeResponse(apiKey: number, apiVersion: number, correlationId: number, body: unknown): Buffer {
  return concat(encodeResponseChunks(apiKey, apiVersion, correlationId, body));
}

/** Decodes a response frame (without its size prefix) to the request's API and version. */
export function decodeResponse(apiKey: number, apiVersion: number, frame: Buffer): DecodedResponse {
  const api = supportedApi(apiKey, apiVersion);
  const r = new Reader(frame);
  const correlationId = r.int32();
  if (responseHeaderVersion(apiKey, apiVersion) >= 1) skipTaggedFields(r);
  return { correlationId, body: api.response.decode(r, apiVersion) };
}

/** The correlation id of a response frame, to match it to its request before decoding the body. */
export function peekCorrelationId(frame: Buffer): number {
  return new Reader(frame).int32();
}

/** `encodeRequest` with the body type checked against the API key. */
export function encodeTypedRequest<K extends TypedApiKey>(apiKey: K, apiVersion: number, correlationId: number, clientId: string | null, body: RequestOf<K>): Buffer {
  return encodeRequest(apiKey, apiVersion, correlationId, clientId, body);
}

/** `decodeResponse` typed by the API key. */
export function decodeTypedResponse<K extends TypedApiKey>(apiKey: K, apiVersion: number, frame: Buffer): DecodedResponse<ResponseOf<K>> {
  return decodeResponse(apiKey, apiVersion, frame) as DecodedResponse<ResponseOf<K>>;
}
