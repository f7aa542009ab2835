import { GatewayError } from "../../errors.js";
import type { CliContext } from "../context.js";

export async function status(_ctx: CliContext, _opts: Record<string, unknown> = {}): Promise<void> {
  throw new GatewayError("not_implemented", "`status` is not implemented yet.");
}
