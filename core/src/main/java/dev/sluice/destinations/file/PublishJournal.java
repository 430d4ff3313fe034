package dev.sluice.destinations.file;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The file destination's sidecar journal: what was appended to which file, by which run, with the
 * fingerprints of the records, and how runs ended. Not API.
 *
 * <p>An append-only file of entries, each {@code [length][CRC32C][payload]} and forced to disk
 * (when syncing) before the batch it describes is acknowledged. A torn last entry (the process died
 * while writing it) fails its checksum and is cut off when the journal is read. The journal is
 * rewritten compactly (temporary file, fsync, atomic rename) when nothing is running.
 *
 * <p>Not thread-safe: the destination serializes every call.
 */
final class PublishJournal implements AutoCloseable {
  private static final byte APPEND = 1;
  private static final byte FINISH = 2;
  private static final byte PUBLISHED = 3;
  /** An entry bigger than this is a corrupt length field, not an entry. */
  private static final int MAX_ENTRY = 256 << 20;

  /** A record's identity in the journal: its key and a checksum of its bytes. */
  record Fingerprint(String key, int contentCrc) {}

  /**
   * A batch appended to {@code file} (a target, or a run's in-progress file) from {@code before} to
   * {@code after} bytes; {@code publishTo} is the target an in-progress file goes to, or "".
   */
  record Append(String pipeline, String runId, String file, String publishTo, long before, long after,
      int bytesCrc, List<Fingerprint> records) {}

  /** A run ended; {@code succeeded} false for failed and cancelled runs. */
  record Finish(String runId, boolean succeeded) {}

  /** An in-progress file was renamed over its target. */
  record Published(String file) {}

  private final Path path;
  private final boolean sync;
  private FileChannel channel;
  /** Bytes of whole, valid entries: what a failed write is cut back to. */
  private long length;

  PublishJournal(Path path, boolean sync) {
    this.path = path;
    this.sync = sync;
  }

  Path path() {
    return path;
  }

  /** What {@link #read} hands each entry to. */
  interface Visitor {
    void visit(Object entry) throws IOException;
  }

  /**
   * Hands every valid entry, in order, to {@code visitor} ({@link Append}, {@link Finish}, {@link
   * Published}) and cuts off a torn tail. The journal need not exist. Streams: memory does not grow
   * with the journal.
   */
  void read(Visitor visitor) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = in.size();
      long pos = 0;
      ByteBuffer head = ByteBuffer.allocate(8);
      while (pos + 8 <= size) {
        head.clear();
        readFully(in, head, pos);
        head.flip();
        int len = head.getInt();
        int crc = head.getInt();
        if (len <= 0 || len > MAX_ENTRY || pos + 8 + len > size) {
          break;
        }
        ByteBuffer body = ByteBuffer.allocate(len);
        readFully(in, body, pos + 8);
        CRC32C check = new CRC32C();
        check.update(body.array(), 0, len);
        if ((int) check.getValue() != crc) {
          break;
        }
        visitor.visit(decode(body.array()));
        pos += 8 + len;
      }
      if (pos < size) {
        in.truncate(pos); // a torn entry: the write it belonged to was never acknowledged
        in.force(true);
      }
    }
  }

  void append(Append a) throws IOException {
    write(encode(out -> {
      out.writeByte(APPEND);
      out.writeUTF(a.pipeline());
      out.writeUTF(a.runId());
      out.writeUTF(a.file());
      out.writeUTF(a.publishTo());
      out.writeLong(a.before());
      out.writeLong(a.after());
      out.writeInt(a.bytesCrc());
      out.writeInt(a.records().size());
      for (Fingerprint f : a.records()) {
        writeLongUtf(out, f.key());
        out.writeInt(f.contentCrc());
      }
    }));
  }

  void finish(String runId, boolean succeeded) throws IOException {
    write(encode(out -> {
      out.writeByte(FINISH);
      out.writeUTF(runId);
      out.writeBoolean(succeeded);
    }));
  }

  void published(String file) throws IOException {
    write(encode(out -> {
      out.writeByte(PUBLISHED);
      out.writeUTF(file);
    }));
  }

  /**
   * Replaces the journal with the given entries: written to a temporary file, forced, renamed over
   * the journal, and the directory forced, so a crash leaves the old or the new journal.
   */
  void rewrite(List<Append> entries) throws IOException {
    close();
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      for (Append a : entries) {
        PublishJournal staging = new PublishJournal(tmp, false);
        staging.channel = out;
        staging.length = out.size();
        staging.append(a);
      }
      out.force(true);
    }
    try {
      Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
    }
    forceDirectory(path.getParent());
  }

  private void write(byte[] payload) throws IOException {
    if (channel == null) {
      Files.createDirectories(path.getParent());
      channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      length = channel.size();
    } else if (channel.size() != length) {
      channel.truncate(length); // an earlier write failed half way
    }
    CRC32C crc = new CRC32C();
    crc.update(payload);
    ByteBuffer entry = ByteBuffer.allocate(8 + payload.length);
    entry.putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
    try {
      long pos = length;
      while (entry.hasRemaining()) {
        pos += channel.write(entry, pos);
      }
      if (sync) {
        channel.force(false);
      }
      length = pos;
    } catch (IOException e) {
      try {
        channel.truncate(length);
      } catch (IOException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    if (channel != null) {
      try {
        if (sync) {
          channel.force(false);
        }
        channel.close();
      } finally {
        channel = null;
      }
    }
  }

  /** Forces a directory's entries (a rename) to disk; a no-op where directories cannot be opened. */
  static void forceDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Not supported on every platform (Windows); the rename itself is still atomic.
    }
  }

  private interface Body {
    void write(DataOutputStream out) throws IOException;
  }

  private static byte[] encode(Body body) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      body.write(out);
    }
    return bytes.toByteArray();
  }

  private static Object decode(byte[] payload) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
    byte type = in.readByte();
    switch (type) {
      case APPEND: {
        String pipeline = in.readUTF();
        String runId = in.readUTF();
        String file = in.readUTF();
        String publishTo = in.readUTF();
        long before = in.readLong();
        long after = in.readLong();
        int bytesCrc = in.readInt();
        int n = in.readInt();
        List<Fingerprint> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          records.add(new Fingerprint(readLongUtf(in), in.readInt()));
        }
        return new Append(pipeline, runId, file, publishTo, before, after, bytesCrc, records);
      }
      case FINISH:
        return new Finish(in.readUTF(), in.readBoolean());
      case PUBLISHED:
        return new Published(in.readUTF());
      default:
        throw new IOException("unknown journal entry type " + type);
    }
  }

  /** Record keys may be longer than {@code writeUTF}'s 64 KB. */
  private static void writeLongUtf(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readLongUtf(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_ENTRY) {
      throw new EOFException("bad key length " + n);
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static void readFully(FileChannel in, ByteBuffer buf, long pos) throws IOException {
    long p = pos;
    while (buf.hasRemaining()) {
      int n = in.read(buf, p);
      if (n < 0) {
        throw new EOFException();
      }
      p += n;
    }
  }
}
