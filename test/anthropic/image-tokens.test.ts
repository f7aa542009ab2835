import { describe, expect, it } from "vitest";
import {
  IMAGE_TOKEN_CEILING,
  imageSize,
  imageTokenEstimate,
  tokensForImageSize,
} from "../../src/anthropic/image-tokens.js";

function png(width: number, height: number): Buffer {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write("IHDR", 12, "latin1");
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return b;
}

function jpeg(width: number, height: number): Buffer {
  // SOI, an APP0 segment to skip, then SOF0 with the size.
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, ...Buffer.from("JFIF\0"), 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const sof = Buffer.alloc(19);
  sof.writeUInt16BE(0xffc0, 0);
  sof.writeUInt16BE(17, 2);
  sof[4] = 8;
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof]);
}

function gif(width: number, height: number): Buffer {
  const b = Buffer.alloc(13);
  b.write("GIF89a", 0, "latin1");
  b.writeUInt16LE(width, 6);
  b.writeUInt16LE(height, 8);
  return b;
}

function webpVp8x(width: number, height: number): Buffer {
  const b = Buffer.alloc(30);
  b.write("RIFF", 0, "latin1");
  b.writeUInt32LE(22, 4);
  b.write("WEBPVP8X", 8, "latin1");
  b.writeUInt32LE(10, 16);
  b.writeUIntLE(width - 1, 24, 3);
  b.writeUIntLE(height - 1, 27, 3);
  return b;
}

describe("image token estimate", () => {
  it.each([
    ["PNG", png(640, 480)],
    ["JPEG", jpeg(640, 480)],
    ["GIF", gif(640, 480)],
    ["WebP", webpVp8x(640, 480)],
  ])("reads the size of a %s", (_name, bytes) => {
    expect(imageSize(bytes)).toEqual({ width: 640, height: 480 });
  });

  it.each([
    [200, 100, 27], // 20,000 px / 750
    [1000, 1000, 1334], // within limits: 1,000,000 / 750
    [4000, 3000, 1534], // scaled to ~1.15 MP first: 1238 × 929
    [3000, 100, 109], // long edge scaled to 1,568: 1568 × 52
  ])("%i×%i px → %i tokens, after Anthropic's downscaling", (width, height, tokens) => {
    expect(tokensForImageSize({ width, height })).toBe(tokens);
  });

  it("uses the ceiling for URLs, unknown formats and truncated data", () => {
    expect(imageTokenEstimate({ type: "url" })).toBe(IMAGE_TOKEN_CEILING);
    expect(imageTokenEstimate({ type: "base64", data: "AAAA" })).toBe(IMAGE_TOKEN_CEILING);
    expect(
      imageTokenEstimate({ type: "base64", data: png(200, 100).subarray(0, 20).toString("base64") }),
    ).toBe(IMAGE_TOKEN_CEILING);
    expect(imageTokenEstimate({ type: "base64", data: png(200, 100).toString("base64") })).toBe(27);
  });
});
