package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The hand-written number check classifies every cell exactly as the two patterns do. */
class CsvValuesPropertyTest {

  @Property(tries = 5000)
  void numberKindAgreesWithThePatterns(@ForAll("numberLike") String cell) {
    int expected = CsvValues.INTEGER.matcher(cell).matches() ? CsvValues.INTEGRAL
        : CsvValues.DECIMAL.matcher(cell).matches() ? CsvValues.FRACTIONAL : CsvValues.NOT_A_NUMBER;
    assertThat(CsvValues.numberKind(cell)).as("'%s'", cell).isEqualTo(expected);
  }

  @Property(tries = 2000)
  void anyStringAgreesToo(@ForAll String cell) {
    int expected = CsvValues.INTEGER.matcher(cell).matches() ? CsvValues.INTEGRAL
        : CsvValues.DECIMAL.matcher(cell).matches() ? CsvValues.FRACTIONAL : CsvValues.NOT_A_NUMBER;
    assertThat(CsvValues.numberKind(cell)).as("'%s'", cell).isEqualTo(expected);
  }

  /** Strings over the characters numbers are made of, so that near misses are frequent. */
  @Provide
  Arbitrary<String> numberLike() {
    return Arbitraries.strings().withChars('0', '1', '7', '9', '-', '+', '.', 'e', 'E', 'x', ' ', '٣')
        .ofMinLength(0).ofMaxLength(8);
  }
}
