package dev.sluice.cli;

import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads a new password for the user commands: at a terminal without echo, twice (System.console);
 * otherwise the first line of standard input. Never from the command line.
 */
final class Passwords {
  private Passwords() {}

  /**
   * @return the password, or null when the two entries at the terminal differ or nothing was given
   */
  static char[] readNew(String prompt) throws IOException {
    Console console = System.console();
    if (console != null) {
      char[] first = console.readPassword("%s: ", prompt);
      char[] second = console.readPassword("%s (again): ", prompt);
      try {
        if (first == null || second == null || !Arrays.equals(first, second)) {
          if (first != null) {
            Arrays.fill(first, '\0');
          }
          return null;
        }
        return first;
      } finally {
        if (second != null) {
          Arrays.fill(second, '\0');
        }
      }
    }
    return readLine(System.in);
  }

  static char[] readLine(InputStream in) throws IOException {
    char[] line = SecretCommand.firstLine(in);
    return line.length == 0 ? null : line;
  }
}
