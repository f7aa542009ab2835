/**
 * The authenticated context each sealed value is bound to, so a sealed value copied into another row (another
 * person's token, another sign-in's device code) does not open there.
 */
export function githubTokenContext(login: string): string {
  return `github-token:${login.toLowerCase()}`;
}

export function deviceCodeContext(signInId: string): string {
  return `device-code:${signInId}`;
}
