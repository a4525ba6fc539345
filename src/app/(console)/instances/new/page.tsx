import type { Metadata } from "next";
import { NewInstanceView } from "./new-instance-view";

export const metadata: Metadata = { title: "Deploy an instance" };

export default async function NewInstancePage({ searchParams }: { searchParams: Promise<{ integration?: string; customer?: string }> }) {
  const { integration, customer } = await searchParams;
  return <NewInstanceView initialIntegrationKey={integration ?? null} initialCustomerId={customer ?? null} />;
}
