/** A limit header value as Copilot sends it (spec §10). */
export function limitValue(rem: number, rst: string, extra = "ent=0&ov=0.0&ovPerm=false"): string {
  return `${extra}&rem=${rem}&rst=${encodeURIComponent(rst)}`;
}
