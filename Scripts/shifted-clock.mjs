// Preloaded with `node --import` (through NODE_OPTIONS, so every worker and child process gets it)
// when STINT_SHIFT_NOW holds an ISO instant: the process's wall clock starts at that instant and
// runs on at real speed. `npm test` runs the vitest suite once more this way, in another time zone,
// to prove that no test depends on today's date or the zone. Monotonic clocks are left alone.
const target = process.env.STINT_SHIFT_NOW;
if (target) {
  const instant = Date.parse(target);
  if (Number.isNaN(instant)) throw new Error(`STINT_SHIFT_NOW is not an ISO instant: ${target}`);
  const RealDate = Date;
  const offset = instant - RealDate.now();
  const now = () => RealDate.now() + offset;
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(now());
      else super(...args);
    }
    static now() {
      return now();
    }
  }
  // Called as a function, Date returns the current time as a string; keep that.
  globalThis.Date = new Proxy(ShiftedDate, {
    apply: () => new RealDate(now()).toString(),
  });
}
