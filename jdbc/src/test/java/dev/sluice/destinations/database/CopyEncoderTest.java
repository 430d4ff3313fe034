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
}
