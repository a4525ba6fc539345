import { z } from "zod";
import { Id } from "./common.schema";

/** One webhook endpoint: an instance × one of its webhook flows. */
export const WebhookEndpointInput = z.object({ instanceId: Id, flowKey: z.string().trim().min(1).max(100) });
export type WebhookEndpointInput = z.infer<typeof WebhookEndpointInput>;
