import { GatewayError } from "../../errors.js";
import type { CliContext } from "../context.js";

export async function login(_ctx: CliContext, _opts: Record<string, unknown> = {}): Promise<void> {
  throw new GatewayError("not_implemented", "`login` is not implemented yet.");
}
