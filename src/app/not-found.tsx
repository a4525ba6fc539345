import { Compass } from "lucide-react";
import Link from "next/link";
import { buttonClass } from "@/components/button";
import { EmptyState } from "@/components/empty-state";

export default function NotFound() {
  return (
    <main className="flex min-h-dvh items-center justify-center px-4">
      <EmptyState
        icon={Compass}
        title="Page not found"
        className="w-full max-w-md"
        action={
          <Link href="/" className={buttonClass("secondary")}>
            Back to Portico
          </Link>
        }
      >
        The address may be mistyped, or the page may have moved.
      </EmptyState>
    </main>
  );
}
