/**
 * DeleteTopics (key 20), versions 0-6: by name (v0-5 `topicNames`, v6 `topics[].name`) or
 * by topic id (v6). Honours `delete.topic.enable` as Kafka does: TOPIC_DELETION_DISABLED
 * for v3+, INVALID_REQUEST before. Duplicates, unknown names (UNKNOWN_TOPIC_OR_PARTITION)
 * and unknown ids (UNKNOWN_TOPIC_ID) are answered per topic; timeout_ms <= 0 is
 * REQUEST_TIMED_OUT for all (Kafka's controller deadline has passed). The storage engine
 * renames the partition dirs to `<topic>-<partition>.<uuid>-delete` and removes them, as
 * Kafka does.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler, type BrokerContext } from '../handler.js';
import { apiError, apiErrorOf, NO_ERROR, type ApiError } from '../configs/api-error.js';
import { ZERO_UUID } from './19-create-topics.js';
import type { DeletableTopicResult, DeleteTopicState, DeleteTopicsRequest, DeleteTopicsResponse } from '../../protocol/messages/20-delete-topics.js';

/** The topics a request names, in order, in the v6 shape. */
function requested(request: DeleteTopicsRequest, apiVersion: number): DeleteTopicState[] {
  if (apiVersion >= 6) return request.topics ?? [];
  return (request.topicNames ?? []).map((name) => ({ name, topicId: ZERO_UUID }));
}

const row = (name: string | null, topicId: string, error: ApiError): DeletableTopicResult => ({
  name,
  topicId,
  errorCode: error.errorCode,
  errorMessage: error.errorMessage,
});

/** Resolve one entry to an existing topic, or the error Kafka answers for it. */
function resolve(state: DeleteTopicState, broker: BrokerContext): { name: string; topicId: string } | DeletableTopicResult {
  const byId = state.topicId !== ZERO_UUID;
  if (state.name !== null && byId) {
    return row(state.name, state.topicId, apiError(ErrorCode.INVALID_REQUEST, 'You may not specify both topic name and topic id.'));
  }
  if (state.name === null && !byId) {
    return row(null, ZERO_UUID, apiError(ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.'));
  }
  if (byId) {
    const topic = broker.metadata.topicById(state.topicId);
    if (!topic) return row(null, state.topicId, apiError(ErrorCode.UNKNOWN_TOPIC_ID, 'This server does not host this topic ID.'));
    return { name: topic.name, topicId: topic.topicId };
  }
  const topic = broker.metadata.topic(state.name!);
  if (!topic) {
    return row(state.name, ZERO_UUID, apiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.'));
  }
  return { name: topic.name, topicId: topic.topicId };
}

const keyOf = (state: DeleteTopicState): string => (state.name !== null ? `n:${state.name}` : `i:${state.topicId}`);

function duplicates(states: readonly DeleteTopicState[]): Set<string> {
  const seen = new Set<string>();
  const dupes = new Set<string>();
  for (const s of states) (seen.has(keyOf(s)) ? dupes : seen).add(keyOf(s));
  return dupes;
}

async function deleteResolved(target: { name: string; topicId: string }, broker: BrokerContext): Promise<DeletableTopicResult> {
  try {
    await broker.metadata.deleteTopic(target.name);
    broker.log.info(`Deleted topic ${target.name} with topic id ${target.topicId}`);
    return row(target.name, target.topicId, NO_ERROR);
  } catch (err) {
    return row(target.name, target.topicId, apiErrorOf(err));
  }
}

/**
 * Every entry resolved before anything is deleted, as Kafka does: duplicates and bad
 * entries answered, and a name that maps to an id also given by id is INVALID_REQUEST
 * (neither entry deletes anything).
 */
function plan(states: readonly DeleteTopicState[], broker: BrokerContext): Array<DeletableTopicResult | { name: string; topicId: string }> {
  const dupes = duplicates(states);
  const reported = new Set<string>();
  const out: Array<DeletableTopicResult | { name: string; topicId: string }> = [];
  const idsGiven = new Set(states.filter((s) => s.name === null && !dupes.has(keyOf(s))).map((s) => s.topicId));
  const idsClaimedByName = new Set<string>();
  for (const state of states) {
    const key = keyOf(state);
    if (dupes.has(key)) {
      if (!reported.has(key)) {
        const what = state.name !== null ? 'name' : 'id';
        out.push(row(state.name, state.name !== null ? ZERO_UUID : state.topicId, apiError(ErrorCode.INVALID_REQUEST, `Duplicate topic ${what}.`)));
        reported.add(key);
      }
      continue;
    }
    const target = resolve(state, broker);
    if (!('errorCode' in target) && state.name !== null && idsGiven.has(target.topicId)) {
      idsClaimedByName.add(target.topicId);
      out.push(row(target.name, target.topicId, apiError(ErrorCode.INVALID_REQUEST, 'The provided topic name maps to an ID that was already supplied.')));
      continue;
    }
    out.push(target);
  }
  return out.filter((entry) => 'errorCode' in entry || !(idsClaimedByName.has(entry.topicId)));
}

function disabledError(apiVersion: number): ApiError {
  const code = apiVersion >= 3 ? ErrorCode.TOPIC_DELETION_DISABLED : ErrorCode.INVALID_REQUEST;
  return apiError(code, 'Topic deletion is disabled.');
}

export const deleteTopicsHandler = defineHandler<DeleteTopicsRequest, DeleteTopicsResponse>({
  apiKey: 20,
  minVersion: 0,
  maxVersion: 6,
  async handle(request, ctx) {
    const states = requested(request, ctx.apiVersion);
    if (!ctx.broker.config.deleteTopicEnable) {
      const error = disabledError(ctx.apiVersion);
      return { throttleTimeMs: 0, responses: states.map((s) => row(s.name, s.topicId, error)) };
    }
    if (request.timeoutMs <= 0) {
      // The deadline has passed before Kafka's controller resolves a single name.
      return { throttleTimeMs: 0, responses: states.map((s) => row(s.name, s.topicId, apiError(ErrorCode.REQUEST_TIMED_OUT))) };
    }
    const responses: DeletableTopicResult[] = [];
    for (const entry of plan(states, ctx.broker)) {
      responses.push('errorCode' in entry ? entry : await deleteResolved(entry, ctx.broker));
    }
    return { throttleTimeMs: 0, responses };
  },
  errorResponse(request, errorCode, ctx) {
    return {
      throttleTimeMs: 0,
      responses: requested(request, ctx.apiVersion).map((s) => row(s.name, s.topicId, apiError(errorCode))),
    };
  },
});
