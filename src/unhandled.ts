import type { Logger } from './logger.js';

/**
 * A promise rejection nobody handled is a bug, but one request's bug must not end the process and
 * every other request with it (Node's default): log it, with the id of the request that caused it
 * (the logger's request scope follows the promise), and keep serving.
 */
export function logUnhandledRejections(logger: Logger): void {
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection; the service keeps running');
  });
}
