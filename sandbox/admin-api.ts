// /_admin: the control panel for tests and demos (no auth — the sandbox only listens on loopback).
import { z } from "zod";
import { addFaultRule, FaultRuleInput } from "./faults/fault-rules";
import { errorReply, parseJsonBody, type AppRequest, type Reply } from "./http-io";
import { effectsSnapshot, resetSandboxState, type SandboxState } from "./state";

const ConfigInput = z.object({
  shop: z.object({ acceptedTokens: z.array(z.string().min(1)).optional() }).optional(),
  erp: z
    .object({
      acceptedKeys: z.array(z.string().min(1)).optional(),
      rateLimit: z
        .object({
          ratePerSecond: z.number().nonnegative().optional(),
          burst: z.number().int().min(1).optional(),
          enabled: z.boolean().optional(),
        })
        .optional(),
    })
    .optional(),
});

function configSnapshot(state: SandboxState) {
  return {
    shop: { acceptedTokens: [...state.shop.acceptedTokens] },
    erp: { acceptedKeys: [...state.erp.acceptedKeys], rateLimit: state.erp.rateLimit },
  };
}

function badInput(error: z.ZodError): Reply {
  return errorReply(400, "bad_request", "invalid admin request", { issues: error.issues });
}

function listRequests(req: AppRequest, state: SandboxState): Reply {
  const app = req.query.get("app");
  const method = req.query.get("method")?.toUpperCase();
  const pathPrefix = req.query.get("pathPrefix");
  const afterId = Number(req.query.get("afterId") ?? 0);
  const data = state.requests.filter(
    (r) =>
      (!app || r.app === app) &&
      (!method || r.method === method) &&
      (!pathPrefix || r.path.startsWith(pathPrefix)) &&
      r.id > afterId,
  );
  return { status: 200, body: { data, dropped: state.requestsDropped } };
}

function updateConfig(req: AppRequest, state: SandboxState): Reply {
  const parsed = parseJsonBody(req);
  if (!parsed.ok) return parsed.reply;
  const input = ConfigInput.safeParse(parsed.value);
  if (!input.success) return badInput(input.error);
  const { shop, erp } = input.data;
  if (shop?.acceptedTokens) state.shop.acceptedTokens = new Set(shop.acceptedTokens);
  if (erp?.acceptedKeys) state.erp.acceptedKeys = new Set(erp.acceptedKeys);
  if (erp?.rateLimit) {
    state.erp.rateLimit = { ...state.erp.rateLimit, ...erp.rateLimit };
    state.erp.buckets.clear(); // a new limit starts from full buckets, so tests are deterministic
  }
  return { status: 200, body: configSnapshot(state) };
}

export function handleAdmin(req: AppRequest, state: SandboxState): Reply {
  const route = `${req.method} ${req.path}`;
  switch (route) {
    case "GET /_admin/effects":
      return { status: 200, body: effectsSnapshot(state) };

    case "GET /_admin/faults":
      return { status: 200, body: { data: state.faults } };
    case "POST /_admin/faults": {
      const parsed = parseJsonBody(req);
      if (!parsed.ok) return parsed.reply;
      const input = FaultRuleInput.safeParse(parsed.value);
      if (!input.success) return badInput(input.error);
      return { status: 201, body: addFaultRule(state, input.data) };
    }
    case "DELETE /_admin/faults": {
      const app = req.query.get("app");
      const before = state.faults.length;
      state.faults = app ? state.faults.filter((f) => f.app !== app) : [];
      return { status: 200, body: { cleared: before - state.faults.length } };
    }

    case "GET /_admin/requests":
      return listRequests(req, state);
    case "DELETE /_admin/requests":
      state.requests = [];
      state.requestsDropped = 0;
      return { status: 200, body: { cleared: true } };

    case "GET /_admin/config":
      return { status: 200, body: configSnapshot(state) };
    case "POST /_admin/config":
      return updateConfig(req, state);

    case "POST /_admin/reset":
      resetSandboxState(state);
      return { status: 200, body: { reset: true } };
  }
  return errorReply(404, "not_found", `no admin route ${route}`);
}
