/** How `starwire` ends; docs/cli.md lists them for scripts and process managers. */
export const EXIT = {
  /** Stopped by SIGTERM/SIGINT and shut down within `--shutdown-timeout`. */
  OK: 0,
  /**
   * The app did not start (module, export, onStartup, listen; the module called listen() itself),
   * workers crashed in a loop, or
   * the shutdown failed (`app.close()` rejected, a worker exited non-zero other than 3 during a
   * cluster's shutdown).
   */
  FAILED: 1,
  /** The command line was wrong: unknown command or flag, a bad value, no module given. */
  USAGE: 2,
  /** Shutdown outlasted `--shutdown-timeout`; what was left open was cut off. */
  FORCED: 3,
  /** A second SIGINT (Ctrl-C) during a shutdown: exit at once, cutting off what was left (128 + SIGINT). */
  INTERRUPTED: 130,
} as const;

/** What a second SIGINT prints before the exit with `EXIT.INTERRUPTED`. */
export const INTERRUPTED_AGAIN = 'interrupted again; exiting without waiting for the shutdown';
