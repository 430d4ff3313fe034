package dev.sluice.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Counts this process's open file descriptors (Linux {@code /proc/self/fd}). */
public final class OpenFiles {
  private static final Path FDS = Path.of("/proc/self/fd");

  private OpenFiles() {}

  /**
   * Whether the platform lets us count; true on Linux.
   *
   * @return true when {@code /proc/self/fd} exists
   */
  public static boolean countable() {
    return Files.isDirectory(FDS);
  }

  /**
   * How many open descriptors point into {@code dir} (or at it): unlike {@link #count()}, other
   * threads of the JVM opening unrelated files can't disturb it.
   *
   * @param dir the directory
   * @return the count
   * @throws IllegalStateException when the descriptors can't be listed
   */
  public static long countUnder(Path dir) {
    Path root = dir.toAbsolutePath().normalize();
    long n = 0;
    try (Stream<Path> fds = Files.list(FDS)) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          if (Files.readSymbolicLink(fd).startsWith(root)) {
            n++;
          }
        } catch (IOException e) {
          // closed while we looked: not open any more
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("can't list " + FDS, e);
    }
    return n;
  }

  /**
   * The number of open descriptors now.
   *
   * @return the count
   * @throws IllegalStateException when the descriptors can't be listed
   */
  public static long count() {
    try (Stream<Path> fds = Files.list(FDS)) {
      return fds.count();
    } catch (IOException e) {
      throw new IllegalStateException("can't list " + FDS, e);
    }
  }
}
