import { z } from "zod";
import { Id } from "./common.schema";

export const CreateApiKeyInput = z.object({ name: z.string().trim().min(1).max(100) });
export type CreateApiKeyInput = z.infer<typeof CreateApiKeyInput>;

export const RevokeApiKeyInput = z.object({ id: Id });
export type RevokeApiKeyInput = z.infer<typeof RevokeApiKeyInput>;
