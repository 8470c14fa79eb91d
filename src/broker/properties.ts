/** The one Java `.properties` parser lives in util/ (storage and cli use it too). */
export { parseProperties, type PropertyEntry } from '../util/java-properties.js';
