/**
 * `/log_dir_event_notification/log_dir_event_NNNNNNNNNN` (sequential): a broker whose log dir
 * failed tells the controller, `{"version":1,"broker":1,"event":1}` (event 1 = LogDirFailure).
 */
import { LogDirEventNotificationPath } from './paths.js';
import { intField, parseJsonObject, toJsonBytes } from './json.js';

export const LogDirFailureEvent = 1;

export function encodeLogDirEvent(brokerId: number, event: number = LogDirFailureEvent): Buffer {
  return toJsonBytes({ version: 1, broker: brokerId, event });
}

export function decodeLogDirEvent(child: string, data: Buffer | null): { brokerId: number; event: number } {
  const path = `${LogDirEventNotificationPath}/${child}`;
  const o = parseJsonObject(path, data);
  return { brokerId: intField(path, o, 'broker'), event: intField(path, o, 'event') };
}
