// GENERATED FILE — do not edit. Source: manifest.schema.json.
// Regenerate with `npm run generate`; a test fails when this file and the schema drift.
/** manifest.schema.json $defs.Language.pattern */
export const LANGUAGE_PATTERN = /^[a-z][a-z0-9-]{0,31}$/u;
/** manifest.schema.json $defs.Version.pattern */
export const VERSION_PATTERN = /^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$/u;
/** manifest.schema.json $defs.FileName.pattern */
export const FILE_NAME_PATTERN = /^(?!\.\.?$)[A-Za-z0-9._+-]{1,128}$/u;
