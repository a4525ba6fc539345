import type { Metadata } from "next";
import { ConfigureInstanceView } from "./configure-instance-view";

export const metadata: Metadata = { title: "Configure instance" };

export default async function ConfigureInstancePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ConfigureInstanceView id={id} />;
}
