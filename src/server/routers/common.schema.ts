import { z } from "zod";

/** A row id (cuid). Any string is looked up; unknown and foreign ids both answer NOT_FOUND. */
export const Id = z.string().min(1).max(64);
