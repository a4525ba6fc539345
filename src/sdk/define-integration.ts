import type { z } from "zod";
import {
  INTEGRATION_BRAND,
  type ConfigOptionsLoaders,
  type ConfigPage,
  type ConfigSchema,
  type ConnectionDeclarations,
  type FlowDefinition,
  type Integration,
  type MigrateConfig,
} from "./types";

/**
 * Declare an integration. `ctx.config` in every flow is typed from `config`, and
 * `ctx.connections` offers exactly the declared keys.
 */
export function defineIntegration<
  Schema extends ConfigSchema,
  const Conns extends ConnectionDeclarations = {},
>(definition: {
  key: string;
  name: string;
  description?: string;
  category?: string;
  icon?: string;
  config: Schema;
  configPages?: ConfigPage[];
  configOptions?: ConfigOptionsLoaders<z.input<Schema>, NoInfer<Conns>>;
  connections?: Conns;
  flows: Record<string, FlowDefinition<z.output<Schema>, Conns>>;
  migrate?: MigrateConfig;
}): Integration<Schema, Conns> {
  return Object.freeze({ ...definition, $portico: INTEGRATION_BRAND });
}

export function isIntegration(value: unknown): value is Integration {
  return typeof value === "object" && value !== null && (value as { $portico?: unknown }).$portico === INTEGRATION_BRAND;
}
