import type { ReactNode } from "react";
import { PageHeader } from "@/components/page-header";
import { SettingsNav } from "./settings-nav";

export default function SettingsLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <PageHeader title="Settings" description="Who can use this organization, how your backend talks to it, and how long runs are kept." />
      <SettingsNav />
      {children}
    </>
  );
}
