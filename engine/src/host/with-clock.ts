import type { ClockPort, HostPort } from "./host-port.ts";

/**
 * The same host with another clock. Everything else is read through to the
 * original (the prototype), so capabilities added to the port later, and
 * optional ones a host adds after start, come along without being listed here.
 */
export function withClock(host: HostPort, clock: ClockPort): HostPort {
  return Object.create(host, { clock: { value: clock, enumerable: true } }) as HostPort;
}
