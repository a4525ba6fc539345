import { TRPCClientError } from "@trpc/client";

/** What the UI needs from any failure: a code to branch on and a sentence to show. */
export interface UiError {
  /** AppError code when the server sent one (data.appCode), else the tRPC code, else "NETWORK". */
  code: string;
  message: string;
}

export function toUiError(error: unknown): UiError {
  if (error instanceof TRPCClientError) {
    const data = error.data as { appCode?: string; code?: string } | undefined | null;
    const code = data?.appCode ?? data?.code ?? "NETWORK";
    if (code === "FORBIDDEN") return { code, message: "Your role does not allow this. Ask an owner of the organization." };
    if (code === "UNAUTHORIZED" || code === "UNAUTHENTICATED") return { code, message: "Your session has ended. Sign in again." };
    if (code === "INTERNAL_SERVER_ERROR") return { code, message: "The server failed to answer. Try again in a moment." };
    if (!data) return { code: "NETWORK", message: "Could not reach the server. Check your connection and try again." };
    return { code, message: error.message };
  }
  if (error instanceof Error) return { code: "UNKNOWN", message: error.message };
  return { code: "UNKNOWN", message: "Something went wrong." };
}

export function isForbidden(error: unknown): boolean {
  return toUiError(error).code === "FORBIDDEN";
}
