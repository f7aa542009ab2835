import { describe, expect, it } from "vitest";
import { EventStreamRedactor } from "../../src/util/event-stream-redactor.js";

const TOKEN = "tid=0123456789abcdef;exp=1999999999;sku=copilot_for_business_seat_quota";
const STREAM = [
  'event: response.created\ndata: {"type":"response.created"}\n\n',
  `event: error\ndata: {"type":"error","message":"echo: Bearer ${TOKEN}"}\n\n`,
].join("");

function relay(pieces: string[]): string {
  const redactor = new EventStreamRedactor();
  return pieces.map((p) => redactor.push(Buffer.from(p)).toString()).join("") + redactor.end().toString();
}

describe("EventStreamRedactor", () => {
  it("masks a token however the stream is cut into two chunks, and changes nothing else", () => {
    const expected = STREAM.replace(`Bearer ${TOKEN}`, "Bearer ****");
    for (let cut = 0; cut <= STREAM.length; cut++)
      expect([cut, relay([STREAM.slice(0, cut), STREAM.slice(cut)])]).toEqual([cut, expected]);
  });

  it("passes whole events on at once and holds only an unfinished one", () => {
    const redactor = new EventStreamRedactor();
    const first = 'data: {"a":1}\n\n';
    expect(redactor.push(Buffer.from(`${first}data: {"b"`)).toString()).toBe(first);
    expect(redactor.push(Buffer.from(":2}\r\n\r\n")).toString()).toBe('data: {"b":2}\r\n\r\n');
    expect(redactor.end().length).toBe(0);
  });

  it("sends a body with no event boundary (not SSE) at the end, redacted", () => {
    expect(relay(['{"error":{"message":"Bearer ', `${TOKEN}"}}`])).toBe(
      '{"error":{"message":"Bearer ****"}}',
    );
  });
});
