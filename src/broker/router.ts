/**
 * The request router: decodes the header, finds the handler, checks the version, runs the
 * handler and encodes its response as size-prefixed chunks (record buffers by reference).
 *
 * Version rules, as Apache Kafka 4 does them:
 * - ApiVersions at a version we do not know: a v0 response with UNSUPPORTED_VERSION and our
 *   ranges (KIP-511), so the client can retry with a version we speak.
 * - Produce v0-v2: advertised (librdkafka keeps compression on only when Produce v0 is
 *   advertised, KAFKA-18659) but refused: Kafka 4 fails to parse them and closes the
 *   connection; so do we, with one log line.
 * - Any other API or version we do not serve: when the handler can build an error response
 *   at that version, UNSUPPORTED_VERSION; otherwise the connection is closed (Kafka closes
 *   it on requests it cannot parse).
 * A handler exception becomes UNKNOWN_SERVER_ERROR (or the KafkaError's code) for that
 * request when the handler can express it, else the connection is closed; both are logged.
 */
import { decodeRequestBody, decodeRequestHeader, encodeResponseChunks, type RequestHeader } from '../protocol/codec.js';
import { apiByKey, apiName } from '../protocol/apis.js';
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import { errorMessage } from '../util/errors.js';
import { apiVersionsBody, brokerVersionCaps } from './apis/18-api-versions.js';
import { DeferredResponse, invokeErrorResponse, invokeHandler, type AnyApiHandler, type BrokerContext, type RequestContext } from './handler.js';
import { CloseConnection, type ConnectionInfo } from '../net/server-connection.js';
import { checkSessionMaySend, expectsRawToken, rawSaslToken } from './auth/authenticator.js';
import { authorizeRequest } from './auth/request-authorization.js';

/** The principal of in-process requests: whoever owns the data dir. */
export const IN_PROCESS_PRINCIPAL = 'User:kts-local';

const API_VERSIONS_KEY = 18;

export type Router = (frame: Buffer, conn: ConnectionInfo) => Promise<Buffer[] | null>;

export function createRouter(broker: BrokerContext): Router {
  const handlers = new Map<number, AnyApiHandler>();
  for (const h of broker.apis) handlers.set(h.apiKey, h);
  const serial = serialQueues();

  return async (frame, conn) => {
    if (conn.session && expectsRawToken(conn.session)) return rawSaslToken(broker, conn.listenerName, conn.session, frame, conn.clientHost);
    let header: RequestHeader;
    try {
      header = decodeRequestHeader(frame);
    } catch (err) {
      throw new CloseConnection(`unreadable request header (${errorMessage(err)})`);
    }
    const handler = handlers.get(header.apiKey);
    const what = `${apiName(header.apiKey)} v${header.apiVersion} (key ${header.apiKey}, correlation id ${header.correlationId})`;
    if (conn.session) checkSessionMaySend(conn.session, header.apiKey, broker.nowMs(), what);
    if (header.apiKey === API_VERSIONS_KEY && handler && header.apiVersion > handler.maxVersion) {
      // KIP-511: answer at v0 whatever version was asked, so old and new clients can read it.
      return encodeResponseChunks(API_VERSIONS_KEY, 0, header.correlationId, apiVersionsBody(broker.apis, ErrorCode.UNSUPPORTED_VERSION, brokerVersionCaps(broker)));
    }
    if (!handler) throw new CloseConnection(`request for ${what}, an API this broker does not serve`);
    if (header.apiVersion < handler.minVersion || header.apiVersion > handler.maxVersion) {
      return unsupportedVersion(handler, header, frame, conn, broker, what);
    }
    let request: unknown;
    try {
      request = decodeRequestBody(header, frame);
    } catch (err) {
      throw new CloseConnection(`malformed ${what}: ${errorMessage(err)}`);
    }
    const ctx = requestContext(header, conn, broker);
    const authorization = authorizeRequest(header.apiKey, request, ctx);
    if (authorization && 'denyAll' in authorization) return refused(handler, request, ctx, authorization.denyAll, what);
    const authorized = authorization ? authorization.request : request;
    let response: unknown;
    // Metrics (src/broker/metrics/): one call in, one out, per request.
    const metrics = broker.metrics;
    const startedMs = metrics ? performance.now() : 0;
    let failed = false;
    metrics?.requestStarted();
    try {
      const run = (): Promise<unknown> => Promise.resolve(invokeHandler(handler, authorized, ctx));
      response = await (handler.serializePerConnection ? serial(conn.connectionId, run) : run());
      if (response instanceof DeferredResponse) response = await (response as DeferredResponse<unknown>).response;
    } catch (err) {
      failed = true;
      if (err instanceof CloseConnection) throw err;
      return handlerFailed(handler, authorized, ctx, err, what);
    } finally {
      metrics?.requestCompleted(header.apiKey, request, response ?? null, performance.now() - startedMs, failed);
    }
    if (response === null) return null;
    if (authorization?.merge) response = authorization.merge(response);
    const chunks = encodeResponseChunks(header.apiKey, header.apiVersion, header.correlationId, response);
    if (ctx.closeReason !== undefined) throw new CloseConnection(ctx.closeReason, chunks);
    return chunks;
  };
}

/** Per-connection FIFO queues; a connection's entry disappears when its queue drains. */
function serialQueues(): <T>(key: string, task: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<void>>();
  return (key, task) => {
    const previous = tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return result;
  };
}

function requestContext(header: RequestHeader, conn: ConnectionInfo, broker: BrokerContext): RequestContext & { closeReason?: string } {
  const ctx: RequestContext & { closeReason?: string } = {
    apiKey: header.apiKey,
    apiVersion: header.apiVersion,
    correlationId: header.correlationId,
    clientId: header.clientId,
    connectionId: conn.connectionId,
    clientHost: conn.clientHost,
    listenerName: conn.listenerName,
    ...(conn.session ? { session: conn.session } : {}),
    principal: conn.session?.principal ?? IN_PROCESS_PRINCIPAL,
    broker,
    closeConnectionAfterResponse(reason: string) {
      ctx.closeReason = reason;
    },
  };
  return ctx;
}

function unsupportedVersion(
  handler: AnyApiHandler,
  header: RequestHeader,
  frame: Buffer,
  conn: ConnectionInfo,
  broker: BrokerContext,
  what: string,
): Buffer[] {
  const range = `${handler.minVersion}-${handler.maxVersion}`;
  const schema = apiByKey(header.apiKey);
  const schemaKnows = schema !== undefined && header.apiVersion >= schema.minVersion && header.apiVersion <= schema.maxVersion;
  const advertisedButRefused = handler.advertisedMinVersion !== undefined && header.apiVersion >= handler.advertisedMinVersion;
  if (schemaKnows && handler.errorResponse && !advertisedButRefused) {
    try {
      const request = decodeRequestBody(header, frame);
      const ctx = requestContext(header, conn, broker);
      const body = invokeErrorResponse(handler, request, ErrorCode.UNSUPPORTED_VERSION, ctx);
      broker.log.info(`Answered ${what} from ${conn.clientHost} with UNSUPPORTED_VERSION: this broker serves versions ${range}`);
      return encodeResponseChunks(header.apiKey, header.apiVersion, header.correlationId, body);
    } catch {
      // fall through: cannot express the error at this version
    }
  }
  throw new CloseConnection(`${what} is not supported (this broker serves versions ${range})`);
}

/** The whole request is not authorized: the handler's error response with Kafka's code. */
function refused(handler: AnyApiHandler, request: unknown, ctx: RequestContext, code: number, what: string): Buffer[] {
  ctx.broker.log.debug(`Principal ${ctx.principal} from ${ctx.clientHost} denied ${what}: error ${code}`);
  if (!handler.errorResponse) throw new CloseConnection(`${ctx.principal} is not authorized for ${what}`);
  return encodeResponseChunks(ctx.apiKey, ctx.apiVersion, ctx.correlationId, invokeErrorResponse(handler, request, code, ctx));
}

function handlerFailed(handler: AnyApiHandler, request: unknown, ctx: RequestContext, err: unknown, what: string): Buffer[] {
  const code = err instanceof KafkaError ? err.errorCode : ErrorCode.UNKNOWN_SERVER_ERROR;
  const log = ctx.broker.log;
  if (code === ErrorCode.UNKNOWN_SERVER_ERROR) {
    log.error(`Error handling ${what} from ${ctx.clientHost}: ${err instanceof Error && err.stack ? err.stack : errorMessage(err)}`);
  } else {
    log.info(`${what} from ${ctx.clientHost} failed: ${errorMessage(err)}`);
  }
  if (!handler.errorResponse) throw new CloseConnection(`handler for ${what} failed: ${errorMessage(err)}`);
  const body = invokeErrorResponse(handler, request, code, ctx);
  return encodeResponseChunks(ctx.apiKey, ctx.apiVersion, ctx.correlationId, body);
}
