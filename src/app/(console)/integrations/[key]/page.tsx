import type { Metadata } from "next";
import { IntegrationPage } from "./integration-page";

export const metadata: Metadata = { title: "Integration" };

export default async function Page({ params }: { params: Promise<{ key: string }> }) {
  const { key } = await params;
  return <IntegrationPage integrationKey={decodeURIComponent(key)} />;
}
