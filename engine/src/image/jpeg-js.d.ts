declare module "jpeg-js/lib/decoder.js" {
  interface DecodeOptions {
    readonly useTArray: true;
    readonly formatAsRGBA?: boolean;
    readonly tolerantDecoding?: boolean;
    readonly maxResolutionInMP?: number;
    readonly maxMemoryUsageInMB?: number;
  }
  export default function decode(data: Uint8Array, options: DecodeOptions): { width: number; height: number; data: Uint8Array };
}
