import { AppError } from "@/lib/errors";

// Keyset pagination over (queuedAt desc, id desc): stable while new runs arrive, unlike OFFSET,
// and served by the (organizationId, queuedAt desc) index. The cursor is the last row's key.

export type ExecutionCursor = { queuedAt: Date; id: string };

export function encodeCursor(c: ExecutionCursor): string {
  return Buffer.from(JSON.stringify([c.queuedAt.toISOString(), c.id])).toString("base64url");
}

export function decodeCursor(cursor: string): ExecutionCursor {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    const queuedAt = new Date(String(at));
    if (typeof id !== "string" || Number.isNaN(queuedAt.getTime())) throw new Error("shape");
    return { queuedAt, id };
  } catch {
    throw new AppError("BAD_INPUT", "Invalid cursor: pass back the nextCursor of a previous page.");
  }
}
