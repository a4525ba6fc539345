import { AppError } from "@/lib/errors";
import { authenticateApiKey } from "@/server/services/api-keys/authenticate-api-key";
import { EventBody, publishEvent, type PublishedEvent } from "./publish-event";
import type { RecordRunDeps } from "./record-run";

// POST /api/v1/events, served by the ingest front (node:http) rather than Next: an event is the
// hot path of a vendor's plugin. API-key auth and error bodies are the REST API's.

export async function handleEventRequest(
  deps: RecordRunDeps,
  req: { authorization: string | null; body: Buffer },
): Promise<PublishedEvent> {
  try {
    const scope = await authenticateApiKey(deps.db, req.authorization);
    let json: unknown;
    try {
      json = JSON.parse(req.body.toString("utf8"));
    } catch {
      throw new AppError("BAD_INPUT", "The request body is not valid JSON.");
    }
    const parsed = EventBody.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: ["body", ...i.path.map((p) => (typeof p === "number" ? p : String(p)))], message: i.message, code: i.code }));
      throw new AppError("BAD_INPUT", "The request body is not valid: see details.issues.", { issues });
    }
    return await publishEvent(deps, scope.organizationId, parsed.data);
  } catch (err) {
    if (err instanceof AppError) throw err;
    // PostgreSQL unreachable or failing: no 202 without committed runs; the caller retries (same key).
    deps.logger.error({ err }, "event ingest: database unavailable");
    throw new AppError("UNAVAILABLE", "could not record the event, retry later");
  }
}
