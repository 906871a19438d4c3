// Screenshots of the X screen itself, read from the framebuffer Xvfb keeps
// in a file (`Xvfb -fbdir DIR` writes DIR/Xvfb_screen0 as an XWD image):
// what a user would see, whatever the webview's rendering mode. WebKit's
// own WebDriver screenshot hangs with compositing off, as the app ships.
import { readFileSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

/** The screen as { width, height, rgb } from an XWD file. */
function readXwd(path) {
  const b = readFileSync(path);
  const field = (i) => b.readUInt32BE(i * 4);
  const [headerSize, width, height, byteOrder, bitsPerPixel, bytesPerLine] = [0, 4, 5, 7, 11, 12].map(field);
  const [redMask, greenMask, blueMask, colors] = [14, 15, 16, 19].map(field);
  if (bitsPerPixel !== 32) throw new Error(`XWD: ${bitsPerPixel} bits per pixel (want a 24-bit screen)`);
  const start = headerSize + colors * 12;
  const shift = (mask) => 31 - Math.clz32(mask & -mask);
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = start + y * bytesPerLine + x * 4;
      const p = byteOrder === 0 ? b.readUInt32LE(at) : b.readUInt32BE(at);
      const o = (y * width + x) * 3;
      rgb[o] = (p & redMask) >>> shift(redMask);
      rgb[o + 1] = (p & greenMask) >>> shift(greenMask);
      rgb[o + 2] = (p & blueMask) >>> shift(blueMask);
    }
  }
  return { width, height, rgb };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** An RGB PNG of the rectangle `rect` of `image`. */
function png(image, rect) {
  const { x, y, width, height } = rect;
  const rows = Buffer.alloc(height * (1 + width * 3));
  for (let r = 0; r < height; r++) {
    const from = ((y + r) * image.width + x) * 3;
    image.rgb.copy(rows, r * (1 + width * 3) + 1, from, from + width * 3);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Saves the app's window, as the X screen shows it, to `path` (PNG). */
export async function saveWindowShot(browser, fbdir, path) {
  const image = readXwd(`${fbdir}/Xvfb_screen0`);
  const r = await browser.getWindowRect();
  const x = Math.max(0, r.x);
  const y = Math.max(0, r.y);
  const rect = { x, y, width: Math.min(r.width, image.width - x), height: Math.min(r.height, image.height - y) };
  writeFileSync(path, png(image, rect));
}
