import { EXIT_CODES, GatewayError } from "../errors.js";

/** The requested model is not in the seat's catalogue. */
export class UnknownModelError extends GatewayError {
  readonly model: string;
  readonly suggestions: string[];
  constructor(model: string, suggestions: string[]) {
    const hint =
      suggestions.length > 0 ? ` Did you mean ${suggestions.map((s) => `"${s}"`).join(", ")}?` : "";
    super(
      "model_not_found",
      `Unknown model "${model}" for this Copilot seat.${hint} Run \`copilot-gateway models\` to list the available ones.`,
      { exitCode: EXIT_CODES.usage, status: 404 },
    );
    this.model = model;
    this.suggestions = suggestions;
  }
}

/** The model exists but the organization's policy disables it, or its terms still need accepting. */
export class ModelNotEnabledError extends GatewayError {
  readonly model: string;
  readonly policyState: string;
  constructor(model: string, policyState: string) {
    const message =
      policyState === "disabled"
        ? `The model "${model}" is disabled by your organization's Copilot policy; ask an admin to enable it, or pick another model.`
        : policyState === "requires_consent"
          ? `The model "${model}" needs its terms accepted first: run \`copilot-gateway models enable ${model}\`.`
          : `The model "${model}" is not enabled yet (policy: ${policyState}); run \`copilot-gateway models enable ${model}\` or ask an admin.`;
    super(policyState === "disabled" ? "model_disabled" : "model_requires_consent", message, {
      exitCode: EXIT_CODES.upstream,
      status: 403,
    });
    this.model = model;
    this.policyState = policyState;
  }
}

/** The model cannot serve this kind of request (e.g. chat on an embeddings model, or no usable endpoint). */
export class ModelCapabilityError extends GatewayError {
  readonly model: string;
  constructor(model: string, message: string) {
    super("model_not_supported", message, { exitCode: EXIT_CODES.usage, status: 400 });
    this.model = model;
  }
}
