import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createContextFromRequest } from "@/server/context";
import { appRouter } from "@/server/routers/_app";

export const dynamic = "force-dynamic";

function handler(req: Request) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createContextFromRequest(req),
  });
}

export { handler as GET, handler as POST };
