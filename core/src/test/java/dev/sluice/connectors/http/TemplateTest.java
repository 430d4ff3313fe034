package dev.sluice.connectors.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TemplateTest {
  private static final Instant NOW = Instant.parse("2026-03-31T13:45:10Z"); // a Tuesday

  private static ReadVars vars(ZoneId zone) {
    ObjectNode params = JsonNodeFactory.instance.objectNode().put("tenant", "acme").put("limit", 50);
    params.putObject("filter").put("status", "open");
    ObjectNode checkpoint = JsonNodeFactory.instance.objectNode().put("cursor", "2026-03-30T00:00:00Z");
    return new ReadVars(params, NOW.atZone(zone), name -> name.equals("tok") ? "s3cr3t" : null)
        .withStream(new ReadVars.Partition("p1", JsonNodeFactory.instance.textNode("p1"),
            JsonNodeFactory.instance.objectNode().put("name", "Alpha")), checkpoint, "2026-03-29T00:00:00Z");
  }

  private static String render(String template) {
    return Template.parse(template).render(vars(ZoneId.of("UTC")), s -> s);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{now}|2026-03-31T13:45:10Z",
      "{now-7d}|2026-03-24T13:45:10Z",
      "{now-7d:yyyy-MM-dd}|2026-03-24",
      "{now/d}|2026-03-31T00:00:00Z",
      "{now-1d/d:date}|2026-03-30",
      "{now/w:date}|2026-03-30",
      "{now-1M/M:yyyy-MM-dd}|2026-02-01",
      "{now-1M:date}|2026-02-28",
      "{now+1y/y:date}|2027-01-01",
      "{now+90m:HH:mm}|15:15",
      "{now-2h+30s:epoch}|1774957540",
      "{now:epoch-millis}|1774964710000",
      "{now:iso-offset}|2026-03-31T13:45:10Z",
  })
  void dateArithmetic(String template, String expected) {
    assertThat(render(template)).isEqualTo(expected);
  }

  @Test
  void dateArithmeticHappensInTheConfiguredZone() {
    Template t = Template.parse("{now/d:iso-offset}");
    assertThat(t.render(vars(ZoneId.of("Europe/Berlin")), s -> s)).isEqualTo("2026-03-31T00:00:00+02:00");
  }

  @Test
  void variablesDefaultsAndLiteralBraces() {
    assertThat(render("/t/{params.tenant}/{partition}/{partition.name}?n={params.limit}"))
        .isEqualTo("/t/acme/p1/Alpha?n=50");
    assertThat(render("{params.filter.status}|{checkpoint.cursor}|{cursor}")).isEqualTo("open|2026-03-30T00:00:00Z|2026-03-29T00:00:00Z");
    assertThat(render("{params.missing|none} {{literal}} {secret:tok}")).isEqualTo("none {literal} s3cr3t");
  }

  @Test
  void aSingleExpressionKeepsItsJsonType() {
    assertThat(Template.parse("{params.limit}").renderValue(vars(ZoneId.of("UTC"))).isInt()).isTrue();
    assertThat(Template.parse("{params.missing}").renderValue(vars(ZoneId.of("UTC")))).isNull();
    assertThat(Template.parse("{params.missing|7}").renderValue(vars(ZoneId.of("UTC"))).asText()).isEqualTo("7");
    assertThat(Template.parse("n={params.limit}").renderValue(vars(ZoneId.of("UTC"))).asText()).isEqualTo("n=50");
  }

  @Test
  void onlyInsertedValuesGoThroughTheEncoder() {
    assertThat(Template.parse("/a b/{params.tenant}").render(vars(ZoneId.of("UTC")), s -> "<" + s + ">"))
        .isEqualTo("/a b/<acme>");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{|not closed",
      "a}b|closes nothing",
      "{}|empty expression",
      "{nope}|unknown variable 'nope'",
      "{now-7}|expected a unit",
      "{now-7x}|unknown time unit 'x'",
      "{now-d}|expected 1-6 digits",
      "{now:}|expected a format",
      "{now:yyyy-MM-dd'}|invalid date pattern",
      "{now:pew}|invalid date pattern 'pew': the pattern is malformed",
      "{now+1d junk}|unexpected",
      "{secret:bad name}|a secret name",
      "{params..x}|invalid name ''",
      "{cursor.x}|{cursor} has no fields",
      "{a{b}}|'{' inside an expression",
  })
  void syntaxErrorsSayWhatAndWhere(String template, String message) {
    assertThatThrownBy(() -> Template.parse(template))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
  }

  @Test
  void scopesAreCheckedWhereATemplateIsUsed() {
    assertThatThrownBy(() -> Template.parse("{record.id}").requireScopes(Set.of("params"), "option 'path'"))
        .hasMessageContaining("option 'path': {record.id} can't be used here");
  }

  @Test
  void aMissingValueNamesTheExpressionAndHowToGiveADefault() {
    assertThatThrownBy(() -> render("{params.account}"))
        .isInstanceOf(Template.RenderException.class)
        .hasMessage("{params.account} has no value: the run was started without that parameter"
            + " (give a default: {params.account|VALUE})");
    assertThatThrownBy(() -> render("{secret:unknown}")).hasMessageContaining("sluice secret set unknown");
  }

  @Test
  void outOfRangeDatesAreARenderErrorNotACrash() {
    String farFuture = "{now" + "+999999y".repeat(1001) + "}"; // beyond year 999,999,999
    assertThatThrownBy(() -> render(farFuture))
        .isInstanceOf(Template.RenderException.class).hasMessageContaining("out of range");
  }
}
