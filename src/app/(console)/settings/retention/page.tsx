import type { Metadata } from "next";
import { RetentionView } from "./retention-view";

export const metadata: Metadata = { title: "Data retention" };

export default function RetentionPage() {
  return <RetentionView />;
}
