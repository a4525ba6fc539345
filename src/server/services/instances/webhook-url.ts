import { env } from "@/lib/env";

/** The public URL a third party posts to for one instance × flow (served by the ingest front). */
export function webhookUrl(token: string): string {
  return `${env.PUBLIC_URL.replace(/\/$/, "")}/api/hooks/${token}`;
}
