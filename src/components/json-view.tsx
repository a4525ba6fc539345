import { cn } from "./cn";

/** Pretty JSON (or raw text that isn't JSON) in a scrolling monospace block. */
export function JsonView({ value, className, maxHeight = "max-h-80" }: { value: unknown; className?: string; maxHeight?: string }) {
  let text: string;
  if (typeof value === "string") {
    try {
      text = JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      text = value;
    }
  } else if (value === undefined) {
    text = "undefined";
  } else {
    try {
      text = JSON.stringify(value, null, 2) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return (
    <pre
      className={cn(
        "overflow-auto rounded-md border border-line bg-zinc-50 p-3 font-mono text-xs leading-relaxed break-words whitespace-pre-wrap text-ink-2",
        maxHeight,
        className,
      )}
    >
      {text}
    </pre>
  );
}
