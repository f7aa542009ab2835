export async function main(argv: string[]): Promise<void> {
  process.stdout.write(`copilot-gateway ${argv.join(" ")}\n`);
}
