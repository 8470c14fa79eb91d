/** AlterClientQuotas (key 49): versions 0-1, flexible from 1. A null entity name is the default entity. */
import { message, f, arr, type FieldSpec } from '../schema.js';

export interface AlterClientQuotasEntity {
  entityType: string;
  entityName: string | null;
}
export interface AlterClientQuotasOp {
  key: string;
  value: number;
  remove: boolean;
}
export interface AlterClientQuotasEntry {
  entity: AlterClientQuotasEntity[];
  ops: AlterClientQuotasOp[];
}
export interface AlterClientQuotasRequest {
  entries: AlterClientQuotasEntry[];
  validateOnly: boolean;
}

export interface AlterClientQuotasEntryResult {
  errorCode: number;
  errorMessage: string | null;
  entity: AlterClientQuotasEntity[];
}
export interface AlterClientQuotasResponse {
  throttleTimeMs: number;
  entries: AlterClientQuotasEntryResult[];
}

const entityFields: readonly FieldSpec[] = [
  f('entityType', 'string', '0+'),
  f('entityName', 'string', '0+', { nullable: true }),
];

export const alterClientQuotasRequest = message<AlterClientQuotasRequest>({
  name: 'AlterClientQuotasRequest', type: 'request', apiKey: 49, validVersions: '0-1', flexibleVersions: '1+',
  fields: [
    arr('entries', '0+', [
      arr('entity', '0+', entityFields),
      arr('ops', '0+', [
        f('key', 'string', '0+'),
        f('value', 'float64', '0+'),
        f('remove', 'bool', '0+'),
      ]),
    ]),
    f('validateOnly', 'bool', '0+'),
  ],
});

export const alterClientQuotasResponse = message<AlterClientQuotasResponse>({
  name: 'AlterClientQuotasResponse', type: 'response', apiKey: 49, validVersions: '0-1', flexibleVersions: '1+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    arr('entries', '0+', [
      f('errorCode', 'int16', '0+'),
      f('errorMessage', 'string', '0+', { nullable: true }),
      arr('entity', '0+', entityFields),
    ]),
  ],
});
