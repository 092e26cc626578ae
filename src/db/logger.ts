/** The slice of a pino-style logger the store uses (a pino Logger fits). */
export interface StoreLogger {
  debug(obj: object, msg: string): void;
}
