/**
 * A small bitmap font (5×7 cells, two rows below the baseline for
 * descenders) drawn into packed RGB frames, so simulated screenshots carry
 * real, recognisable text: window titles, code, a fake secret now and then.
 */

/**
 * Glyphs for ASCII 32–126 in order, nine characters each: one base-32 digit a
 * row, top to bottom, its five bits the row's pixels from left to right
 * (rows 8 and 9 hold descenders).
 */
const GLYPHS = "000000000444440400aa0000000avaaava004fke5u400pq248bj00cic8lid004400000002488842008422248000level000044v44000000006648000v00000000006600122488g00ehjlphe004c4444e00eh1248v00v2421he0026aiv2200vgu11he0068guhhe00v12488800ehhehhe00ehhf12c000cc0cc0000cc0cc8g0248g8420000v0v0000842124800eh1240400ehnlngf00ehhvhhh00uhhuhhu00ehggghe00sihhhis00vgguggv00vgguggg00ehgnhhf00hhhvhhh00e44444e0072222ic00hikokih00ggggggv00hrllhhh00hhpljhh00ehhhhhe00uhhuggg00ehhhlid00uhhukih00fgge11u00v44444400hhhhhhe00hhhhha400hhhllla00hha4ahh00hha444400v1248gv00e88888e00g88422100e22222e004ah000000000000v0084000000000e1fhf00ggmphhu0000egghe0011djhhf0000ehvge00698s8880000fhhf11eggmphhh0040c444e002062222icggikoki00c44444e0000qllhh0000mphhh0000ehhhe0000uhhuggg00fhhf11100mpggg0000ege1u0088s88960000hhhjd0000hhha40000hhlla0000ha4ah0000hhhf11e00v248v00344844300444444400o44244o00008l20000";

/** Cell size in font pixels: 5 wide plus 1 of spacing, 7 high plus 2 for descenders and 2 of leading. */
export const GLYPH_WIDTH = 6;
export const GLYPH_HEIGHT = 11;

const bitmaps = new Map<string, readonly (readonly boolean[])[]>();
for (let code = 32; code <= 126; code++) {
  const rows = [...GLYPHS.slice((code - 32) * 9, (code - 31) * 9)].map((digit) => {
    const bits = parseInt(digit, 32);
    return [16, 8, 4, 2, 1].map((bit) => (bits & bit) !== 0);
  });
  bitmaps.set(String.fromCharCode(code), rows);
}

/** Width in pixels of `text` drawn at `scale`. */
export function textWidth(text: string, scale: number): number {
  return text.length * GLYPH_WIDTH * scale;
}

/** How many characters fit in `pixels` at `scale`. */
export function charsThatFit(pixels: number, scale: number): number {
  return Math.max(0, Math.floor(pixels / (GLYPH_WIDTH * scale)));
}

/**
 * Draws `text` into packed RGB `data` with its top-left corner at (x, y),
 * each font pixel a `scale`×`scale` square; clipped to the frame and to
 * `maxWidth` pixels when given. Characters without a glyph draw as `?`.
 */
export function drawText(
  data: Uint8Array,
  width: number,
  height: number,
  x: number,
  y: number,
  text: string,
  scale: number,
  rgb: readonly [number, number, number],
  maxWidth = width,
): void {
  const limit = Math.min(width, x + maxWidth);
  for (let i = 0; i < text.length; i++) {
    const left = x + i * GLYPH_WIDTH * scale;
    if (left + 5 * scale > limit) break;
    const rows = bitmaps.get(text[i]!) ?? bitmaps.get("?")!;
    for (let row = 0; row < rows.length; row++) {
      const cells = rows[row]!;
      for (let col = 0; col < cells.length; col++) {
        if (!cells[col]) continue;
        for (let dy = 0; dy < scale; dy++) {
          const py = y + row * scale + dy;
          if (py < 0 || py >= height) continue;
          for (let dx = 0; dx < scale; dx++) {
            const px = left + col * scale + dx;
            if (px < 0 || px >= limit) continue;
            const o = (py * width + px) * 3;
            data[o] = rgb[0];
            data[o + 1] = rgb[1];
            data[o + 2] = rgb[2];
          }
        }
      }
    }
  }
}
