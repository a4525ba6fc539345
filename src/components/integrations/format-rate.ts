/** 0.125 → "12.5 %"; null (no finished runs) → "—". */
export function formatRate(rate: number | null): string {
  if (rate === null) return "—";
  return `${Math.round(rate * 1000) / 10} %`;
}
