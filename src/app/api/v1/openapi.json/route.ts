import { env } from "@/lib/env";
import { REST_ENDPOINTS } from "@/server/rest/endpoints";
import { buildOpenApi } from "@/server/rest/openapi";

export const dynamic = "force-dynamic";

// Public (no API key): the document describes the API, it holds no tenant data.
export function GET() {
  return Response.json(buildOpenApi(REST_ENDPOINTS, env.PUBLIC_URL));
}
