package dev.sluice.destinations.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CopyEncoderTest {

  private static String encode(int bufferSize, String[]... rows) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CopyEncoder encoder = new CopyEncoder(bufferSize, (buffer, length) -> out.write(buffer, 0, length));
    for (String[] row : rows) {
      encoder.row(row);
    }
    encoder.flush();
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void escapesTheCharactersCopyTextGivesMeaningToAndMarksNull() throws Exception {
    String encoded = encode(1024, new String[] {"a\\b", "line\nbreak\r", "tab\tbed", null, "\\N", ""},
        new String[] {"2", "\\."});
    assertThat(encoded).isEqualTo("a\\\\b\tline\\nbreak\\r\ttab\\tbed\t\\N\t\\\\N\t\n2\t\\\\.\n");
  }

  @Test
  void encodesUtf8IncludingSurrogatePairsAcrossBufferBoundaries() throws Exception {
    String text = "Grüße € 漢字 🎉 end";
    String whole = encode(1024, new String[] {text, "x"});
    assertThat(whole).isEqualTo(text + "\tx\n");
    for (int size = 1; size < 12; size++) {
      assertThat(encode(size, new String[] {text, "x"})).as("buffer of " + size).isEqualTo(whole);
    }
  }

  @Test
  void aLoneSurrogateBecomesAQuestionMarkLikeTheJdkEncoder() throws Exception {
    String broken = "a\uD83Db";
    assertThat(encode(16, new String[] {broken}))
        .isEqualTo(new String(broken.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8) + "\n");
  }

  @Test
  void writesTypedValuesWithoutStrings() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CopyEncoder encoder = new CopyEncoder(3, (buffer, length) -> out.write(buffer, 0, length));
    encoder.integer(0);
    encoder.integer(-42);
    encoder.integer(Long.MIN_VALUE);
    encoder.integer(Long.MAX_VALUE);
    encoder.bool(true);
    encoder.nullValue();
    encoder.timestamp(java.time.Instant.parse("2026-03-29T01:30:05.000120Z"));
    encoder.timestamp(java.time.Instant.parse("1969-12-31T23:59:59Z"));
    encoder.endRow();
    encoder.ascii("1.5E10");
    encoder.endRow();
    encoder.flush();
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("0\t-42\t-9223372036854775808\t9223372036854775807\tt\t\\N\t"
        + "2026-03-29 01:30:05.000120+00\t1969-12-31 23:59:59+00\n1.5E10\n");
  }
}
