/** The one type the copied server rules need from src/core/domain/errors.ts (the rest is the server's). */
export interface ErrorDetail {
  /** JSON Pointer into the event that is wrong, e.g. `/target/id`. */
  path: string;
  message: string;
}
