/**
 * Synthetic screen frames: a desktop with a menu bar, background windows and
 * one active window whose title and contents are real text (see scenes.ts),
 * changing scene on a fixed schedule with deliberate runs of identical and
 * near-identical frames (a blinking cursor), so dedup has real work to do and
 * a known answer, and OCR has known text to find.
 */
import { drawText, GLYPH_HEIGHT, GLYPH_WIDTH } from "./font.ts";
import { sceneContent } from "./scenes.ts";

export interface FrameSpec {
  /** Which scene (layout) the frame shows. */
  readonly scene: number;
  /** 0 = the scene as first shown; odd = identical to it; even > 0 = cursor moved (near-identical). */
  readonly variant: number;
}

/** How many frames each scene lasts, cycled: single frames, short and long runs. */
const RUNS = [1, 4, 2, 6, 1, 3, 8, 2];

export function frameSpec(index: number): FrameSpec {
  let remaining = index;
  let scene = 0;
  for (;;) {
    const run = RUNS[scene % RUNS.length]!;
    if (remaining < run) return { scene, variant: remaining };
    remaining -= run;
    scene++;
  }
}

/** Whether frame `index` shows new content (the first frame of its scene). */
export function isSceneStart(index: number): boolean {
  return frameSpec(index).variant === 0;
}

function random(seed: number): () => number {
  let state = (seed * 2654435761) >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

function fill(data: Uint8Array, width: number, height: number, x0: number, y0: number, w: number, h: number, rgb: readonly [number, number, number]): void {
  const x1 = Math.min(width, Math.max(0, x0 + w));
  const y1 = Math.min(height, Math.max(0, y0 + h));
  for (let y = Math.max(0, y0); y < y1; y++) {
    for (let x = Math.max(0, x0); x < x1; x++) {
      const o = (y * width + x) * 3;
      data[o] = rgb[0];
      data[o + 1] = rgb[1];
      data[o + 2] = rgb[2];
    }
  }
}

/** Renders frame `spec` as packed RGB (3 bytes a pixel). */
export function renderFrame(spec: FrameSpec, width: number, height: number, seed = 1): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  const rand = random(spec.scene * 7919 + seed);
  const color = (): [number, number, number] => [Math.floor(rand() * 200) + 30, Math.floor(rand() * 200) + 30, Math.floor(rand() * 200) + 30];
  // Background: a vertical gradient whose direction and hue change with the scene.
  const base = color();
  const flip = rand() < 0.5;
  for (let y = 0; y < height; y++) {
    const t = (flip ? height - y : y) / height;
    fill(data, width, height, 0, y, width, 1, [Math.floor(base[0] * t), Math.floor(base[1] * (1 - t)), Math.floor(base[2] * 0.5 + 60 * t)]);
  }
  const windows = 1 + Math.floor(rand() * 2);
  for (let i = 0; i < windows; i++) {
    const w = Math.floor(width * (0.25 + rand() * 0.45));
    const h = Math.floor(height * (0.25 + rand() * 0.5));
    const x = Math.floor(rand() * (width - w));
    const y = Math.floor(rand() * (height - h));
    const light = rand() < 0.6;
    fill(data, width, height, x, y, w, h, light ? [236, 236, 232] : [40, 42, 54]);
    fill(data, width, height, x, y, w, Math.max(3, Math.floor(height / 40)), color());
    const lineHeight = Math.max(2, Math.floor(height / 60));
    for (let line = y + lineHeight * 4; line < y + h - lineHeight * 2; line += lineHeight * 3) {
      const length = Math.floor((w - 8) * (0.3 + rand() * 0.7));
      fill(data, width, height, x + 4, line, length, lineHeight, light ? [60, 60, 70] : [190, 200, 210]);
    }
  }
  drawScene(data, width, height, spec.scene, rand);
  if (spec.variant > 0 && spec.variant % 2 === 0) {
    // Near-identical: a blinking cursor and a ticking clock, a few pixels each.
    const cx = Math.floor(width * 0.5) + (spec.variant % 5) * 3;
    fill(data, width, height, cx, Math.floor(height * 0.6), 2, Math.max(4, Math.floor(height / 25)), [255, 255, 255]);
    fill(data, width, height, width - 12, 1, 2 + (spec.variant % 4), 3, [250, 250, 250]);
  }
  return data;
}

/** Text scale: two font pixels per pixel from 560 pixels wide, so OCR can read it; one below. */
export function textScale(width: number): number {
  return width >= 560 ? 2 : 1;
}

/** The menu bar with the application's name, and the active window with its title and text. */
function drawScene(data: Uint8Array, width: number, height: number, scene: number, rand: () => number): void {
  const content = sceneContent(scene);
  const scale = textScale(width);
  const lineStep = GLYPH_HEIGHT * scale + scale * 3;
  const pad = 4 * scale;
  // Room around bar text: OCR loses text that touches an edge or a change of colour.
  const bar = GLYPH_HEIGHT * scale + 8 * scale;
  // Dark mode when the active window is dark: menu bar and title bar follow it, as on a Mac.
  const chrome: [number, number, number] = content.light ? [246, 246, 246] : [44, 46, 54];
  const chromeInk: [number, number, number] = content.light ? [20, 20, 20] : [232, 232, 236];
  fill(data, width, height, 0, 0, width, bar, chrome);
  drawText(data, width, height, pad * 2, scale * 5, `${content.application}   File   Edit   View   Window`, scale, chromeInk);
  const w = Math.floor(width * (0.72 + rand() * 0.2));
  const h = Math.min(height - bar - pad, bar + pad * 2 + (content.lines.length + 1) * lineStep + Math.floor(rand() * lineStep * 2));
  const x = Math.floor(rand() * (width - w));
  const y = bar + Math.floor(rand() * Math.max(1, height - bar - h));
  const paper: [number, number, number] = content.light ? [250, 250, 248] : [30, 32, 40];
  const ink: [number, number, number] = content.light ? [28, 28, 36] : [225, 228, 232];
  fill(data, width, height, x, y, w, h, paper);
  fill(data, width, height, x, y, w, bar, content.light ? [232, 232, 236] : [52, 54, 64]);
  const title = content.windowTitle;
  const titleX = x + Math.max(pad, Math.floor((w - title.length * GLYPH_WIDTH * scale) / 2));
  drawText(data, width, height, titleX, y + scale * 5, title, scale, chromeInk, w - pad);
  content.lines.forEach((line, i) => drawText(data, width, height, x + pad * 2, y + bar + pad + i * lineStep, line, scale, ink, w - pad * 3));
}

/** Packed RGB → RGBA (for the dHash and PNG helpers that take RGBA). */
export function rgbToRgba(rgb: Uint8Array): Uint8Array {
  const out = new Uint8Array((rgb.length / 3) * 4);
  for (let i = 0, o = 0; i < rgb.length; i += 3, o += 4) {
    out[o] = rgb[i]!;
    out[o + 1] = rgb[i + 1]!;
    out[o + 2] = rgb[i + 2]!;
    out[o + 3] = 255;
  }
  return out;
}
