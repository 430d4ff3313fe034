package dev.sluice.destinations.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TimestampsTest {

  @ParameterizedTest
  @ValueSource(strings = {"2026-03-29T01:30:00Z", "2026-03-29T01:30:00.1Z", "2026-03-29T01:30:00.123456789Z",
      "2026-03-29T01:30:00+02:00", "2026-03-29T01:30:00.5-09:30", "1969-12-31T23:59:59Z", "2024-02-29T00:00:00Z",
      "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z", "2026-03-29t01:30:00z", "2026-03-29T01:30Z",
      "2026-03-29T01:30:00.Z", "+12026-03-29T01:30:00Z", " 2026-03-29T01:30:00Z "})
  void agreesWithTheJdkParser(String text) {
    assertThat(Timestamps.parse(text)).isEqualTo(OffsetDateTime.parse(text.trim()).toInstant());
  }

  @ParameterizedTest
  @ValueSource(strings = {"2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-03-29T24:00:00Z", "2026-03-29T01:30:00",
      "2026-03-29 01:30:00Z", "2026-03-29T01:30:00+0200", "2026-03-29T01:30:00.1234567890Z", "yesterday", "2026-03-29T01:30:00+19:00"})
  void rejectsWhatTheJdkParserRejects(String text) {
    assertThatThrownBy(() -> OffsetDateTime.parse(text)).isInstanceOf(DateTimeParseException.class);
    assertThatThrownBy(() -> Timestamps.parse(text)).isInstanceOf(DateTimeParseException.class);
  }
}
