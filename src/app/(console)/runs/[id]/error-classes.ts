// What each run error class means to support, and what to do about it (DESIGN.md: errors are
// classified, and the class decides retry, pausing and the customer's message).
export const errorClassHelp: Record<string, { title: string; action: string }> = {
  AUTH: {
    title: "Authentication failed",
    action: "The remote app rejected the customer's credentials. The customer needs to reconnect the connection.",
  },
  RATE_LIMITED: {
    title: "Rate limited",
    action: "The remote API throttled requests. Portico retries with backoff; if it keeps failing, lower the run frequency.",
  },
  REMOTE_UNAVAILABLE: {
    title: "Remote service unavailable",
    action: "The remote service answered 5xx, timed out or was unreachable. Retry once it is back.",
  },
  INVALID_DATA: {
    title: "Invalid data",
    action: "The data did not pass validation. Check the payload and the failing step's output, then replay.",
  },
  CONFIG: {
    title: "Configuration problem",
    action: "The instance's configuration is missing or wrong. Fix it in the instance, then retry.",
  },
  BUG: {
    title: "Integration error",
    action: "The integration's code threw an unexpected error. A builder should look at the failing step and logs.",
  },
  TIMEOUT: {
    title: "Timed out",
    action: "The run exceeded its time limit. Check for slow remote calls in the HTTP exchanges below.",
  },
  CANCELLED: { title: "Cancelled", action: "The run was cancelled before it finished." },
};
