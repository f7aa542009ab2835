import { GatewayError } from "../../errors.js";
import type { CliContext } from "../context.js";

export async function logout(_ctx: CliContext, _opts: Record<string, unknown> = {}): Promise<void> {
  throw new GatewayError("not_implemented", "`logout` is not implemented yet.");
}
