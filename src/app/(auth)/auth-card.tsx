import type { ReactNode } from "react";

export function AuthCard({ title, description, children, footer }: { title: string; description?: ReactNode; children: ReactNode; footer?: ReactNode }) {
  return (
    <>
      <div className="rounded-xl border border-line bg-surface p-6 shadow-sm">
        <h1 className="text-lg font-semibold tracking-tight">{title}</h1>
        {description ? <p className="mt-1 text-sm text-ink-3">{description}</p> : null}
        <div className="mt-5">{children}</div>
      </div>
      {footer ? <p className="mt-5 text-center text-sm text-ink-3">{footer}</p> : null}
    </>
  );
}
