package dev.sluice.connectors.http;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneId;

/**
 * Templates are written by users and rendered with values from APIs and checkpoints: parsing any
 * text either succeeds or throws {@link IllegalArgumentException}; rendering a parsed template
 * either yields text or throws {@link Template.RenderException}; path-encoded values never contain
 * a character that could start a new path segment, query or fragment.
 *
 * <p>The default test run replays the committed corpus in {@code TemplateFuzzTestInputs/}; the
 * build's {@code fuzz} execution fuzzes for {@code maxDuration}.
 */
class TemplateFuzzTest {

  @FuzzTest(maxDuration = "20s")
  void parsesOrRefusesAndRendersOrFails(FuzzedDataProvider data) {
    String text = data.consumeString(400);
    String value = data.consumeRemainingAsString();
    Template template;
    try {
      template = Template.parse(text);
    } catch (IllegalArgumentException expected) {
      return;
    }
    ObjectNode params = JsonNodeFactory.instance.objectNode().put("v", value).put("n", 3);
    params.putObject("o").put("v", value);
    ReadVars vars = new ReadVars(params, Instant.parse("2026-01-01T00:00:00Z").atZone(ZoneId.of("Europe/Berlin")),
        name -> name.equals("s") ? value : null)
        .withStream(new ReadVars.Partition(value, JsonNodeFactory.instance.textNode(value), params), params, value);
    try {
      String encoded = template.render(vars, OutgoingRequest::encode);
      template.renderValue(vars);
      template.references();
      if (template.isConstant() && !encoded.equals(template.render(vars, s -> s))) {
        throw new AssertionError("a constant template depends on the encoder: " + text);
      }
    } catch (Template.RenderException expected) {
      // a documented failure
    }
    String encoded = OutgoingRequest.encode(value);
    if (encoded.indexOf('/') >= 0 || encoded.indexOf('?') >= 0 || encoded.indexOf('#') >= 0
        || encoded.indexOf('&') >= 0 || encoded.indexOf('=') >= 0) {
      throw new AssertionError("encoding left a delimiter in " + encoded);
    }
  }
}
