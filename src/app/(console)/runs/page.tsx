import type { Metadata } from "next";
import { Suspense } from "react";
import { RunsView, RunsViewSkeleton } from "./runs-view";

export const metadata: Metadata = { title: "Runs" };

export default function RunsPage() {
  return (
    // useSearchParams needs a boundary; the fallback is the same skeleton the view shows.
    <Suspense fallback={<RunsViewSkeleton />}>
      <RunsView />
    </Suspense>
  );
}
