/** Kept in step with package.json by test/cli/version.test.ts. */
export const KTS_VERSION = '0.1.0';
