package dev.sluice.destinations.database;

import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

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
  private boolean rowStarted;
  private final byte[] digits = new byte[20];

  CopyEncoder(int bufferSize, Sink sink) {
    this.buffer = new byte[bufferSize];
    this.sink = sink;
  }

  /** Appends one row: {@code texts[i]} is column i's COPY text, or null for SQL NULL. */
  void row(String[] texts) throws SQLException {
    for (String text : texts) {
      if (text == null) {
        nullValue();
      } else {
        text(text);
      }
    }
    endRow();
  }

  /** SQL NULL as the next value of the row. */
  void nullValue() throws SQLException {
    separate();
    put((byte) '\\');
    put((byte) 'N');
  }

  /** Text as the next value, escaped. */
  void text(String s) throws SQLException {
    separate();
    escaped(s);
  }

  /** Text that needs no escaping (numbers as Java prints them) as the next value. */
  void ascii(String s) throws SQLException {
    separate();
    for (int i = 0; i < s.length(); i++) {
      put((byte) s.charAt(i));
    }
  }

  /** An integer as the next value, without going through a String. */
  void integer(long value) throws SQLException {
    separate();
    if (value == Long.MIN_VALUE) {
      for (int i = 0; i < 20; i++) {
        put((byte) "-9223372036854775808".charAt(i));
      }
      return;
    }
    if (value < 0) {
      put((byte) '-');
      value = -value;
    }
    int count = 0;
    do {
      digits[count++] = (byte) ('0' + (value % 10));
      value /= 10;
    } while (value > 0);
    while (count > 0) {
      put(digits[--count]);
    }
  }

  /** true or false as the next value. */
  void bool(boolean value) throws SQLException {
    separate();
    put((byte) (value ? 't' : 'f'));
  }

  /**
   * An instant as the next value, written as {@code yyyy-MM-dd HH:mm:ss.ffffff+00} (what
   * PostgreSQL reads for timestamptz); years outside 1..9999 go through the ISO formatter.
   */
  void timestamp(Instant value) throws SQLException {
    long seconds = value.getEpochSecond();
    long day = Math.floorDiv(seconds, 86_400L);
    int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
    LocalDate date = LocalDate.ofEpochDay(day);
    if (date.getYear() < 1 || date.getYear() > 9999) {
      ascii(OffsetDateTime.ofInstant(value, ZoneOffset.UTC).toString());
      return;
    }
    separate();
    fixed(date.getYear(), 4);
    put((byte) '-');
    fixed(date.getMonthValue(), 2);
    put((byte) '-');
    fixed(date.getDayOfMonth(), 2);
    put((byte) ' ');
    fixed(secondOfDay / 3600, 2);
    put((byte) ':');
    fixed(secondOfDay / 60 % 60, 2);
    put((byte) ':');
    fixed(secondOfDay % 60, 2);
    int micros = value.getNano() / 1000;
    if (micros != 0) {
      put((byte) '.');
      fixed(micros, 6);
    }
    put((byte) '+');
    put((byte) '0');
    put((byte) '0');
  }

  /** Ends the current row. */
  void endRow() throws SQLException {
    put((byte) '\n');
    rowStarted = false;
  }

  private void separate() throws SQLException {
    if (rowStarted) {
      put((byte) '\t');
    }
    rowStarted = true;
  }

  private void fixed(int value, int width) throws SQLException {
    for (int i = width - 1; i >= 0; i--) {
      digits[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
    for (int i = 0; i < width; i++) {
      put(digits[i]);
    }
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
