// Group membership and transaction APIs at every version the client accepts.
import { GROUP_AND_TXN_APIS, testResponseVersions } from './response-versions.js';

testResponseVersions(GROUP_AND_TXN_APIS);
