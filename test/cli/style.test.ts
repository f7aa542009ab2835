import { describe, expect, it } from "vitest";
import { colourEnabled, createStyle } from "../../src/cli/output/style.js";

describe("colourEnabled (README: Output)", () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };

  it("colours a terminal, never a pipe, a dumb terminal or NO_COLOR", () => {
    expect(colourEnabled(tty, { TERM: "xterm" })).toBe(true);
    expect(colourEnabled(pipe, { TERM: "xterm" })).toBe(false);
    expect(colourEnabled(tty, { TERM: "dumb" })).toBe(false);
    expect(colourEnabled(tty, { TERM: "xterm", NO_COLOR: "1" })).toBe(false);
  });

  it("FORCE_COLOR=1 colours a pipe, FORCE_COLOR=0 does not, and NO_COLOR still wins", () => {
    expect(colourEnabled(pipe, { FORCE_COLOR: "1" })).toBe(true);
    expect(colourEnabled(pipe, { FORCE_COLOR: "0" })).toBe(false);
    expect(colourEnabled(pipe, { FORCE_COLOR: "1", NO_COLOR: "1" })).toBe(false);
  });

  it("plain styling returns the text unchanged", () => {
    expect(createStyle(pipe, {}).red("error:")).toBe("error:");
    expect(createStyle(tty, { TERM: "xterm" }).red("error:")).toBe("\u001b[31merror:\u001b[39m");
  });
});
