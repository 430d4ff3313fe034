package dev.sluice.cli;

/** The exit codes of the {@code sluice} command (also in docs/user-guide/cli.md). */
final class ExitCodes {
  /** Done; for {@code once}: every run succeeded. */
  static final int OK = 0;
  /** A run failed or was cancelled ({@code once}), or rule testing found errors. */
  static final int RUN_FAILED = 1;
  /** The command line is wrong (unknown option, missing argument). */
  static final int USAGE = 2;
  /** The configuration is invalid; the problems were printed. */
  static final int INVALID_CONFIG = 3;
  /** Something else went wrong (store unreachable, I/O error, a bug); the message was printed. */
  static final int ERROR = 4;

  private ExitCodes() {}
}
