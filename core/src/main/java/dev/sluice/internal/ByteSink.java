package dev.sluice.internal;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * An unsynchronized, growable byte buffer: what {@code ByteArrayOutputStream} is without a lock
 * per write and without copying on {@link #array()}. Not thread-safe. Not API.
 */
public final class ByteSink extends OutputStream {
  private byte[] buf;
  private int size;

  /** @param capacity the initial capacity (at least 64 is used) */
  public ByteSink(int capacity) {
    buf = new byte[Math.max(capacity, 64)];
  }

  /** @return the bytes written so far, valid up to {@link #size()}; the buffer itself, not a copy */
  public byte[] array() {
    return buf;
  }

  /** @return how many bytes were written */
  public int size() {
    return size;
  }

  /** Forgets what was written; keeps the buffer. */
  public void reset() {
    size = 0;
  }

  @Override
  public void write(int b) {
    if (size == buf.length) {
      buf = Arrays.copyOf(buf, buf.length * 2);
    }
    buf[size++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    if (size + len > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + len));
    }
    System.arraycopy(b, off, buf, size, len);
    size += len;
  }
}
