/**
 * Token estimate for an image, the way Anthropic documents it: about width×height/750 tokens, after an image whose
 * long edge exceeds 1,568 px or whose area exceeds ~1.15 megapixels is scaled down to fit. That caps an image near
 * 1,600 tokens. When the size cannot be read (a URL, an unknown format), the cap is used.
 */
export const IMAGE_TOKEN_CEILING = 1_600;
const MAX_EDGE = 1_568;
const MAX_PIXELS = 1_150_000;

export interface ImageSize {
  width: number;
  height: number;
}

function pngSize(b: Buffer): ImageSize | undefined {
  if (b.length < 24 || b.readUInt32BE(0) !== 0x89504e47 || b.toString("latin1", 12, 16) !== "IHDR")
    return undefined;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

function gifSize(b: Buffer): ImageSize | undefined {
  if (b.length < 10 || b.toString("latin1", 0, 4) !== "GIF8") return undefined;
  return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
}

function webpSize(b: Buffer): ImageSize | undefined {
  if (b.length < 30 || b.toString("latin1", 0, 4) !== "RIFF" || b.toString("latin1", 8, 12) !== "WEBP")
    return undefined;
  const chunk = b.toString("latin1", 12, 16);
  if (chunk === "VP8X") return { width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
  if (chunk === "VP8L") {
    const bits = b.readUInt32LE(21);
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
  }
  if (chunk === "VP8 ") return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  return undefined;
}

/** JPEG: walk the segments to the first start-of-frame marker, which holds the size. */
function jpegSize(b: Buffer): ImageSize | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let offset = 2;
  while (offset + 9 < b.length) {
    if (b[offset] !== 0xff) return undefined;
    const marker = b[offset + 1] ?? 0;
    const length = b.readUInt16BE(offset + 2);
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) return { width: b.readUInt16BE(offset + 7), height: b.readUInt16BE(offset + 5) };
    offset += 2 + length;
  }
  return undefined;
}

/** Width and height from the image's header bytes (PNG, JPEG, GIF, WebP), or undefined. */
export function imageSize(bytes: Buffer): ImageSize | undefined {
  return pngSize(bytes) ?? jpegSize(bytes) ?? gifSize(bytes) ?? webpSize(bytes);
}

/** Tokens for an image of this size, after Anthropic's downscaling. */
export function tokensForImageSize({ width, height }: ImageSize): number {
  if (width <= 0 || height <= 0) return IMAGE_TOKEN_CEILING;
  const scale = Math.min(1, MAX_EDGE / Math.max(width, height), Math.sqrt(MAX_PIXELS / (width * height)));
  const tokens = Math.ceil((Math.round(width * scale) * Math.round(height * scale)) / 750);
  return Math.min(IMAGE_TOKEN_CEILING, Math.max(1, tokens));
}

/** Estimate for an Anthropic image source: read the size of base64 data, else the ceiling. */
export function imageTokenEstimate(source: { type: string; data?: unknown }): number {
  if (source.type !== "base64" || typeof source.data !== "string") return IMAGE_TOKEN_CEILING;
  try {
    const size = imageSize(Buffer.from(source.data, "base64"));
    return size ? tokensForImageSize(size) : IMAGE_TOKEN_CEILING;
  } catch {
    // A truncated header: fall back to the ceiling rather than fail the count.
    return IMAGE_TOKEN_CEILING;
  }
}
