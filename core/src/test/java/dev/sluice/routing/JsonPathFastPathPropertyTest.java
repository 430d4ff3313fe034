package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.PathNotFoundException;
import com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The fast path for definite paths and Jayway agree on random documents and random paths.
 */
class JsonPathFastPathPropertyTest {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final Configuration JAYWAY = Configuration.builder()
      .jsonProvider(new JacksonJsonNodeJsonProvider())
      .mappingProvider(new JacksonMappingProvider())
      .build(); // without SUPPRESS_EXCEPTIONS: it would report some missing values as null
  private static final List<String> NAMES = List.of("a", "b", "c", "id", "odd key", "x-y", "n_1");

  @Property(tries = 2000)
  void fastPathAgreesWithJayway(@ForAll("documents") JsonNode document, @ForAll("paths") String path) {
    JsonPathExpression fast = JsonPathExpression.compile(path);
    assertThat(fast).as("a definite path takes the fast path").isInstanceOf(JsonPathExpression.Definite.class);

    JsonNode ours = fast.evaluate(document);
    Object theirs;
    try {
      theirs = JsonPath.compile(path).read(document, JAYWAY);
    } catch (PathNotFoundException e) {
      theirs = null;
    }

    if (ours == null && theirs instanceof JsonNode && ((JsonNode) theirs).isNull()) {
      // The one documented difference: Jayway reads an index past the end of an array as null;
      // Sluice keeps it missing (missing is not null, see Values).
      List<Object> steps = ((JsonPathExpression.Definite) fast).steps();
      Object last = steps.get(steps.size() - 1);
      String parentPath = path.substring(0, path.lastIndexOf('['));
      JsonNode parent = JsonPathExpression.compile(parentPath).evaluate(document);
      assertThat(last).as("only an index can be past the end").isInstanceOf(Integer.class);
      assertThat(parent.isArray() && parent.size() <= (Integer) last)
          .as("%s is past the end of the array in %s", path, document).isTrue();
    } else if (ours == null) {
      assertThat(theirs).as("missing for %s in %s", path, document).isNull();
    } else {
      assertThat(theirs).as("%s in %s", path, document).isNotNull();
      assertThat((JsonNode) theirs).isEqualTo(ours);
    }
  }

  @Provide
  Arbitrary<JsonNode> documents() {
    return value(4).filter(JsonNode::isObject);
  }

  private Arbitrary<JsonNode> value(int depth) {
    Arbitrary<JsonNode> scalar = Arbitraries.oneOf(
        Arbitraries.integers().between(-1000, 1000).map(i -> (JsonNode) F.numberNode(i)),
        Arbitraries.strings().alpha().ofMaxLength(5).map(s -> (JsonNode) F.textNode(s)),
        Arbitraries.of(true, false).map(b -> (JsonNode) F.booleanNode(b)),
        Arbitraries.just(F.nullNode()));
    if (depth == 0) {
      return scalar;
    }
    Arbitrary<JsonNode> object = Arbitraries.maps(Arbitraries.of(NAMES), value(depth - 1)).ofMaxSize(4)
        .map(m -> {
          ObjectNode o = F.objectNode();
          m.forEach(o::set);
          return (JsonNode) o;
        });
    Arbitrary<JsonNode> array = value(depth - 1).list().ofMaxSize(3).map(l -> {
      ArrayNode a = F.arrayNode();
      l.forEach(a::add);
      return (JsonNode) a;
    });
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, scalar), net.jqwik.api.Tuple.of(2, object), net.jqwik.api.Tuple.of(1, array));
  }

  @Provide
  Arbitrary<String> paths() {
    Arbitrary<String> step = Arbitraries.oneOf(
        Arbitraries.of(NAMES).filter(n -> !n.contains(" ")).map(n -> "." + n),
        Arbitraries.of(NAMES).map(n -> "['" + n + "']"),
        Arbitraries.integers().between(0, 3).map(i -> "[" + i + "]"));
    return Combinators.combine(step.list().ofMinSize(1).ofMaxSize(5), Arbitraries.just("$"))
        .as((steps, root) -> root + String.join("", steps));
  }
}
