import { z } from "zod";

// REST bodies are JSON: Dates leave as ISO-8601 strings. The response schemas use this codec, so
// `z.encode(schema, value)` produces the body and `z.toJSONSchema(schema, { io: "input" })`
// documents exactly that wire shape.
export const Timestamp = z.codec(z.iso.datetime(), z.date(), {
  decode: (s) => new Date(s),
  encode: (d) => d.toISOString(),
});

/** A query-string timestamp (any ISO-8601 offset) read as a Date. */
export const QueryTimestamp = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

/** The error body of every REST answer that is not a success. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string().meta({ description: "BAD_INPUT, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT, … or INTERNAL" }),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
