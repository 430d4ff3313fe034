package dev.sluice.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Counts this process's open file descriptors (Linux {@code /proc/self/fd}). */
public final class OpenFiles {
  private static final Path FDS = Path.of("/proc/self/fd");

  private OpenFiles() {}

  /** Whether the platform lets us count; true on Linux. */
  public static boolean countable() {
    return Files.isDirectory(FDS);
  }

  /** The number of open descriptors now. */
  public static long count() {
    try (Stream<Path> fds = Files.list(FDS)) {
      return fds.count();
    } catch (IOException e) {
      throw new IllegalStateException("can't list " + FDS, e);
    }
  }
}
