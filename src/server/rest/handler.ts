import { randomUUID } from "node:crypto";
import { z } from "zod";
import { getDb, type Db } from "@/lib/db";
import { AppError, ERROR_HTTP } from "@/lib/errors";
import { createLogger } from "@/lib/logger";
import { authenticateApiKey } from "../services/api-keys/authenticate-api-key";
import type { OrgScope } from "../tenancy/scope";
import type { ErrorBody } from "./json";

const log = createLogger("rest");

type AnyObject = z.ZodObject<z.ZodRawShape>;
type Infer<S> = S extends z.ZodType ? z.output<S> : undefined;

/** One REST operation: its wire schemas (validation and the OpenAPI document) and its service call. */
export type Endpoint<
  P extends AnyObject | undefined = AnyObject | undefined,
  Q extends AnyObject | undefined = AnyObject | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
  R extends z.ZodType | null = z.ZodType | null,
> = {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** OpenAPI path template, e.g. "/api/v1/customers/{externalId}" */
  path: string;
  operationId: string;
  summary: string;
  params?: P;
  query?: Q;
  body?: B;
  /** the success body; null means 204 No Content */
  response: R;
  /** success status when `run` returns a plain value (default 200, 204 without a response) */
  status?: number;
  /** further success statuses `run` may choose through Reply (documented in OpenAPI) */
  otherStatuses?: number[];
  run: (
    scope: OrgScope,
    input: { params: Infer<P>; query: Infer<Q>; body: Infer<B> },
  ) => Promise<R extends z.ZodType ? z.output<R> | Reply<z.output<R>> : void>;
};

/** A success with a status other than the endpoint's default (e.g. 201 when an upsert created). */
export class Reply<T> {
  constructor(
    readonly body: T,
    readonly status: number,
  ) {}
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry holds endpoints of every shape
export type AnyEndpoint = Endpoint<any, any, any, any>;

export function defineEndpoint<
  P extends AnyObject | undefined,
  Q extends AnyObject | undefined,
  B extends z.ZodType | undefined,
  R extends z.ZodType | null,
>(endpoint: Endpoint<P, Q, B, R>): Endpoint<P, Q, B, R> {
  return endpoint;
}

export type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> };
export type RouteHandler = (req: Request, context: RouteContext) => Promise<Response>;
export type RestDeps = { db: Db };

function json(body: unknown, status: number, requestId: string): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "x-request-id": requestId },
  });
}

function errorResponse(err: unknown, requestId: string, where: string): Response {
  let body: ErrorBody;
  let status: number;
  if (err instanceof AppError) {
    status = ERROR_HTTP[err.code].status;
    body = { error: { code: err.code, message: err.message, ...(err.details && { details: err.details }) } };
  } else {
    // Internals (SQL, paths, stack) go to the log only; the caller gets the request id to quote.
    log.error({ err, requestId, where }, "REST request failed");
    status = ERROR_HTTP.INTERNAL.status;
    body = { error: { code: "INTERNAL", message: "Internal error", details: { requestId } } };
  }
  return json(body, status, requestId);
}

/** Input failures are BAD_INPUT with zod's issues, each path starting at "params", "query" or "body". */
function parseInput<S extends z.ZodType>(schema: S, value: unknown, part: "params" | "query" | "body"): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({
    path: [part, ...i.path.map((p) => (typeof p === "number" ? p : String(p)))],
    message: i.message,
    code: i.code,
  }));
  throw new AppError("BAD_INPUT", `The request ${part} is not valid: see details.issues.`, { issues });
}

async function readBody(req: Request): Promise<unknown> {
  const text = await req.text();
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("BAD_INPUT", "The request body is not valid JSON.");
  }
}

/**
 * The Next route handler for an endpoint: API key → scope, zod-parsed path/query/body, the
 * service call, the response encoded through its schema, errors as { error: { code, message,
 * details } }. `deps` is resolved per request (tests pass their own database).
 */
export function toRouteHandler(endpoint: AnyEndpoint, deps: () => RestDeps = () => ({ db: getDb() })): RouteHandler {
  return async (req, context) => {
    const requestId = req.headers.get("x-request-id") ?? randomUUID();
    const where = `${endpoint.method} ${endpoint.path}`;
    try {
      const scope = await authenticateApiKey(deps().db, req.headers.get("authorization"));
      const rawParams = await context.params;
      const params = endpoint.params && parseInput(endpoint.params, rawParams, "params");
      const searchParams = Object.fromEntries(new URL(req.url).searchParams);
      const query = endpoint.query && parseInput(endpoint.query, searchParams, "query");
      const body = endpoint.body && parseInput(endpoint.body, await readBody(req), "body");
      const result: unknown = await endpoint.run(scope, { params, query, body } as never);

      if (!endpoint.response) return new Response(null, { status: endpoint.status ?? 204, headers: { "x-request-id": requestId } });
      const reply = result instanceof Reply ? result : new Reply(result, endpoint.status ?? 200);
      return json(z.encode(endpoint.response, reply.body as never), reply.status, requestId);
    } catch (err) {
      return errorResponse(err, requestId, where);
    }
  };
}

/** The exports of one route.ts: `export const { GET, POST } = routeHandlers({ GET: a, POST: b })`. */
export function routeHandlers<M extends Partial<Record<Endpoint["method"], AnyEndpoint>>>(
  endpoints: M,
): { [K in keyof M]: RouteHandler } {
  return Object.fromEntries(
    Object.entries(endpoints).map(([method, endpoint]) => [method, toRouteHandler(endpoint as AnyEndpoint)]),
  ) as { [K in keyof M]: RouteHandler };
}
