/** DescribeClientQuotas (key 48): versions 0-1, flexible from 1. Quota values are float64. */
import { message, f, arr } from '../schema.js';

export interface DescribeClientQuotasComponent {
  entityType: string;
  matchType: number;
  match: string | null;
}
export interface DescribeClientQuotasRequest {
  components: DescribeClientQuotasComponent[];
  strict: boolean;
}

export interface DescribeClientQuotasEntity {
  entityType: string;
  entityName: string | null;
}
export interface DescribeClientQuotasValue {
  key: string;
  value: number;
}
export interface DescribeClientQuotasEntry {
  entity: DescribeClientQuotasEntity[];
  values: DescribeClientQuotasValue[];
}
export interface DescribeClientQuotasResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  entries: DescribeClientQuotasEntry[] | null;
}

export const describeClientQuotasRequest = message<DescribeClientQuotasRequest>({
  name: 'DescribeClientQuotasRequest', type: 'request', apiKey: 48, validVersions: '0-1', flexibleVersions: '1+',
  fields: [
    arr('components', '0+', [
      f('entityType', 'string', '0+'),
      f('matchType', 'int8', '0+'),
      f('match', 'string', '0+', { nullable: true }),
    ]),
    f('strict', 'bool', '0+'),
  ],
});

export const describeClientQuotasResponse = message<DescribeClientQuotasResponse>({
  name: 'DescribeClientQuotasResponse', type: 'response', apiKey: 48, validVersions: '0-1', flexibleVersions: '1+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    f('errorCode', 'int16', '0+'),
    f('errorMessage', 'string', '0+', { nullable: true }),
    arr('entries', '0+', [
      arr('entity', '0+', [
        f('entityType', 'string', '0+'),
        f('entityName', 'string', '0+', { nullable: true }),
      ]),
      arr('values', '0+', [
        f('key', 'string', '0+'),
        f('value', 'float64', '0+'),
      ]),
    ], { nullable: true }),
  ],
});
