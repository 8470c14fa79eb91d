// Each admin, metadata, offset and group-admin API at every version the client accepts.
import { OTHER_APIS, testResponseVersions } from './response-versions.js';

testResponseVersions(OTHER_APIS);
