package dev.sluice.destinations.database;

import java.sql.SQLException;

/**
 * Encodes rows in PostgreSQL's COPY text format (tab-separated, {@code \N} for NULL, backslash
 * escapes for backslash, newline, carriage return and tab) as UTF-8, straight into a reusable
 * buffer that is handed to the server whenever it fills, so memory stays bounded by the buffer
 * whatever the batch size.
 *
 * <p>Values must not contain NUL (U+0000): PostgreSQL can't store it in text, and the destination
 * rejects such records before encoding. Not thread-safe: one encoder per COPY.
 */
final class CopyEncoder {
  /** Where full buffers go. */
  interface Sink {
    void write(byte[] buffer, int length) throws SQLException;
  }

  private final byte[] buffer;
  private final Sink sink;
  private int length;

  CopyEncoder(int bufferSize, Sink sink) {
    this.buffer = new byte[bufferSize];
    this.sink = sink;
  }

  /** Appends one row: {@code texts[i]} is column i's COPY text, or null for SQL NULL. */
  void row(String[] texts) throws SQLException {
    for (int i = 0; i < texts.length; i++) {
      if (i > 0) {
        put((byte) '\t');
      }
      String text = texts[i];
      if (text == null) {
        put((byte) '\\');
        put((byte) 'N');
      } else {
        escaped(text);
      }
    }
    put((byte) '\n');
  }

  /** Hands what is buffered to the sink. */
  void flush() throws SQLException {
    if (length > 0) {
      sink.write(buffer, length);
      length = 0;
    }
  }

  private void escaped(String s) throws SQLException {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        switch (c) {
          case '\\':
            put((byte) '\\');
            put((byte) '\\');
            break;
          case '\n':
            put((byte) '\\');
            put((byte) 'n');
            break;
          case '\r':
            put((byte) '\\');
            put((byte) 'r');
            break;
          case '\t':
            put((byte) '\\');
            put((byte) 't');
            break;
          default:
            put((byte) c);
        }
      } else if (c < 0x800) {
        put((byte) (0xC0 | (c >> 6)));
        put((byte) (0x80 | (c & 0x3F)));
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        put((byte) (0xF0 | (cp >> 18)));
        put((byte) (0x80 | ((cp >> 12) & 0x3F)));
        put((byte) (0x80 | ((cp >> 6) & 0x3F)));
        put((byte) (0x80 | (cp & 0x3F)));
      } else if (Character.isSurrogate(c)) {
        put((byte) '?'); // a lone surrogate is not text; String.getBytes(UTF_8) does the same
      } else {
        put((byte) (0xE0 | (c >> 12)));
        put((byte) (0x80 | ((c >> 6) & 0x3F)));
        put((byte) (0x80 | (c & 0x3F)));
      }
    }
  }

  private void put(byte b) throws SQLException {
    if (length == buffer.length) {
      flush();
    }
    buffer[length++] = b;
  }
}
