import schema from './receipt-v1.schema.json' with { type: 'json' };

/**
 * The JSON Schema (draft 2020-12) of receipt v1, as data, so bundles carry it.
 * `parseReceipt` applies the same rules by hand; use this with a schema validator
 * in other languages or in your own pipelines.
 */
export const receiptV1Schema: Readonly<Record<string, unknown>> = schema;
