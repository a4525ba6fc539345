import type { DefaultSession } from "next-auth";

declare module "next-auth" {
  interface Session {
    // `id` is the Portico user id (the JWT's `sub`), set in the session callback of options.ts.
    user: DefaultSession["user"] & { id: string };
  }
}
