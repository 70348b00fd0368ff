/**
 * The errors a failing dependency throws, as the drivers throw them: what a component sees when
 * its database refuses a connection or drops one. Their messages hold nothing secret; a component
 * that prints them prints no key, but one that prints its stack prints a stack trace (F4).
 */
class DriverError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export function connectionRefused(): Error {
  return new DriverError("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED");
}

export function connectionDropped(): Error {
  return new DriverError("terminating connection due to administrator command", "57P01");
}
