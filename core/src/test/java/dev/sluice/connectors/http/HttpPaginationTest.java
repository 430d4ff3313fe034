package dev.sluice.connectors.http;

import static dev.sluice.connectors.http.Harness.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.http.ApiStub.Answer;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every pagination style and stop condition, against a stub API of 7 items. */
@Timeout(30)
class HttpPaginationTest extends StubbedApiTest {

  private HttpConnector http(String yaml) {
    return connector("baseUrl: " + api.url() + "\n" + yaml);
  }

  static ObjectNode item(int i) {
    return JsonNodeFactory.instance.objectNode().put("id", "i" + i).put("n", i);
  }

  static ArrayNode items(int fromInclusive, int toExclusive) {
    ArrayNode a = JsonNodeFactory.instance.arrayNode();
    IntStream.range(fromInclusive, Math.min(toExclusive, 8)).forEach(i -> a.add(item(i)));
    return a;
  }

  private static final List<String> ALL = List.of("i1", "i2", "i3", "i4", "i5", "i6", "i7");

  @Test
  void pageNumbersUntilAShortPage() throws Exception {
    api.on("/items", r -> {
      int page = Integer.parseInt(r.param("page"));
      int size = Integer.parseInt(r.param("per_page"));
      return Answer.json(Map.of("data", items((page - 1) * size + 1, page * size + 1)));
    });
    Harness.Run run = read(http("""
        path: /items
        records: { path: $.data, key: id }
        pagination: { type: page, sizeParam: per_page, size: 3 }
        """), time, null);

    assertThat(run.keys()).containsExactlyElementsOf(ALL);
    assertThat(api.requests).extracting(r -> r.param("page")).containsExactly("1", "2", "3");
  }

  @Test
  void pageNumbersUntilAnEmptyPageWhenTheSizeIsUnknown() throws Exception {
    api.on("/items", r -> {
      int page = Integer.parseInt(r.param("p"));
      return Answer.json(items((page - 1) * 3 + 1, page * 3 + 1));
    });
    Harness.Run run = read(http("""
        path: /items
        records: { key: id }
        pagination: { type: page, param: p, start: 1 }
        """), time, null);

    assertThat(run.keys()).containsExactlyElementsOf(ALL);
    assertThat(api.requests).extracting(r -> r.param("p")).containsExactly("1", "2", "3", "4");
  }

  @Test
  void offsetAndLimit() throws Exception {
    api.on("/items", r -> {
      int offset = Integer.parseInt(r.param("offset"));
      int limit = Integer.parseInt(r.param("limit"));
      return Answer.json(Map.of("results", items(offset + 1, offset + limit + 1)));
    });
    Harness.Run run = read(http("""
        path: /items
        records: { path: "$.results[*]", key: id }
        pagination: { type: offset, limit: 2 }
        """), time, null);

    assertThat(run.keys()).containsExactlyElementsOf(ALL);
    assertThat(api.requests).extracting(r -> r.param("offset")).containsExactly("0", "2", "4", "6");
  }

  @Test
  void offsetCarriedByATemplateInsteadOfAParameter() throws Exception {
    api.on("/items", r -> {
      int offset = Integer.parseInt(r.param("from"));
      return Answer.json(Map.of("results", items(offset + 1, offset + 4)));
    });
    Harness.Run run = read(http("""
        path: /items
        query: { from: "{page.offset}", size: "{page.limit}" }
        records: { path: $.results, key: id }
        pagination: { type: offset, limit: 3 }
        """), time, null);

    assertThat(run.keys()).containsExactlyElementsOf(ALL);
    assertThat(api.requests.get(1).query()).containsOnlyKeys("from", "size").containsEntry("from", "3");
  }

  @Test
  void cursorFromTheBodyUntilItIsMissing() throws Exception {
    api.on("/items", r -> {
      int at = r.param("cursor") == null ? 1 : Integer.parseInt(r.param("cursor").substring(1));
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      body.set("data", items(at, at + 3));
      if (at + 3 <= 7) {
        body.putObject("meta").put("next_cursor", "c" + (at + 3));
      }
      return Answer.json(body);
    });
    Harness.Run run = read(http("""
        path: /items
        records: { path: $.data, key: id }
        pagination: { type: cursor, cursor: $.meta.next_cursor, sizeParam: limit, size: 3 }
        """), time, null);

    assertThat(run.keys()).containsExactlyElementsOf(ALL);
    assertThat(api.requests).extracting(r -> r.param("cursor")).containsExactly(null, "c4", "c7");
    assertThat(api.requests).allSatisfy(r -> assertThat(r.param("limit")).isEqualTo("3"));
  }

  @Test
  void cursorInAPostBodyAndHasMoreFalseStops() throws Exception {
    api.on("/search", r -> {
      String cursor = r.json().path("after").asText(null);
      int at = cursor == null ? 1 : Integer.parseInt(cursor);
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      body.set("hits", items(at, at + 4));
      body.put("next", String.valueOf(at + 4)); // always a cursor: has_more decides
      body.put("has_more", at + 4 <= 7);
      return Answer.json(body);
    });
    Harness.Run run = read(http("""
        path: /search
        method: POST
        body: { query: "status:open", after: "{page.cursor}", limit: 4 }
        records: { path: $.hits, key: id }
        pagination: { type: cursor, cursor: $.next, hasMore: $.has_more }
        """), time, null);

    assertThat(run.keys()).containsExactlyElementsOf(ALL);
    assertThat(api.requests).hasSize(2);
    assertThat(api.requests.get(0).json().has("after")).as("no cursor yet: the field is left out").isFalse();
    assertThat(api.requests.get(0).json().path("limit").isInt()).as("a number stays a number").isTrue();
    assertThat(api.requests.get(1).json().path("after").asText()).isEqualTo("5");
    assertThat(api.requests.get(1).rawQuery()).as("the cursor travels in the body only").isNull();
  }

  @Test
  void nextUrlFromTheBody() throws Exception {
    api.on("/items", r -> {
      int page = r.param("page") == null ? 1 : Integer.parseInt(r.param("page"));
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      body.set("items", items((page - 1) * 3 + 1, page * 3 + 1));
      body.putObject("links").put("next", page < 3 ? "/items?page=" + (page + 1) + "&status=open" : null);
      return Answer.json(body);
    });
    Harness.Run run = read(http("""
        path: /items
        query: { status: open }
        records: { path: $.items, key: id }
        pagination: { type: next-url, next: $.links.next }
        """), time, null);

    assertThat(run.keys()).containsExactlyElementsOf(ALL);
    assertThat(api.requests).extracting(ApiStub.Received::rawQuery)
        .containsExactly("status=open", "page=2&status=open", "page=3&status=open");
  }

  @Test
  void linkHeaderWithSeveralLinksQuotedParametersAndRelLists() throws Exception {
    api.on("/items", r -> {
      int page = r.param("page") == null ? 1 : Integer.parseInt(r.param("page"));
      Answer a = Answer.json(items((page - 1) * 3 + 1, page * 3 + 1));
      String base = api.url() + "/items";
      // first: a "last" link whose title holds a comma and a semicolon; next link on a second header line
      a = a.header("Link", "<" + base + "?page=3>; rel=\"last\"; title=\"the end, finally; really\"");
      if (page < 3) {
        a = a.header("Link#2", "<" + base + "?page=" + (page + 1) + ">; title=x; REL=\"prefetch Next\"");
      }
      return a;
    });
    Harness.Run run = read(http("""
        path: /items
        records: { key: id }
        pagination: { type: link }
        """), time, null);

    assertThat(run.keys()).containsExactlyElementsOf(ALL);
    assertThat(api.requests).extracting(r -> r.param("page")).containsExactly(null, "2", "3");
  }

  @Test
  void maxPagesStops() throws Exception {
    api.on("/items", r -> Answer.json(List.of(Map.of("id", "r" + api.requests.size())))
        .header("Link", "<" + api.url() + "/items?n=" + api.requests.size() + ">; rel=next"));
    Harness.Run run = read(http("""
        path: /items
        records: { key: id }
        pagination: { type: link, maxPages: 4 }
        """), time, null);

    assertThat(api.requests).hasSize(4);
    assertThat(run.keys()).containsExactly("r1", "r2", "r3", "r4");
  }

  @Test
  void theSameCursorTwiceIsALoopNamingTheCursor() throws Exception {
    api.on("/items", r -> Answer.json(Map.of("data", items(1, 3), "next", "abc")));
    HttpConnector c = http("""
        path: /items
        records: { path: $.data, key: id }
        pagination: { type: cursor, cursor: $.next }
        """);

    assertThatThrownBy(() -> read(c, time, null))
        .hasMessageContaining("cursor 'abc' a second time").hasMessageContaining("loop");
    assertThat(api.requests).hasSize(2);
  }

  @Test
  void aNextUrlPointingBackIsALoopNamingTheUrl() throws Exception {
    api.on("/items", r -> {
      int page = r.param("page") == null ? 1 : Integer.parseInt(r.param("page"));
      return Answer.json(Map.of("data", items(page, page + 1), "next", "/items?page=" + (page == 2 ? 1 : 2)));
    });
    HttpConnector c = http("""
        path: /items
        query: { page: 1 }
        records: { path: $.data, key: id }
        pagination: { type: next-url, next: $.next }
        """);

    assertThatThrownBy(() -> read(c, time, null))
        .hasMessageContaining("/items?page=1").hasMessageContaining("loop");
    assertThat(api.requests).hasSize(2);
  }

  @Test
  void aNextLinkToAnotherHostIsRefusedUnlessAllowed() throws Exception {
    try (ApiStub other = new ApiStub()) {
      other.on("/items", r -> Answer.json(items(4, 8)));
      api.on("/items", r -> Answer.json(items(1, 4)).header("Link", "<" + other.url() + "/items?page=2>; rel=next"));
      HttpConnector refusing = http("""
          path: /items
          auth: { type: bearer, token: s3cr3t-token }
          records: { key: id }
          pagination: { type: link }
          """);

      assertThatThrownBy(() -> read(refusing, time, null))
          .hasMessageContaining("another origin").hasMessageContaining("allowOtherHosts");
      assertThat(other.requests).as("no request, so no credentials, went to the other host").isEmpty();
      refusing.close();

      Harness.Run run = read(http("""
          path: /items
          records: { key: id }
          pagination: { type: link, allowOtherHosts: true }
          """), time, null);
      assertThat(run.keys()).containsExactlyElementsOf(ALL);
      assertThat(other.requests).hasSize(1);
    }
  }

  @Test
  void aRedirectToAnotherHostIsRefusedAndOneWithinTheOriginIsFollowedWithCredentials() throws Exception {
    api.on("/old", r -> new Answer(301, Map.of("Location", "/new"), ""));
    api.on("/new", r -> Answer.json(items(1, 3)));
    Harness.Run run = read(http("""
        path: /old
        auth: { type: api-key, name: X-Key, value: k-123 }
        records: { key: id }
        """), time, null);
    assertThat(run.keys()).containsExactly("i1", "i2");
    assertThat(api.requestsTo("/new").get(0).header("X-Key")).isEqualTo("k-123");
    connector.close();

    try (ApiStub other = new ApiStub()) {
      api.on("/old", r -> new Answer(302, Map.of("Location", other.url() + "/steal"), ""));
      HttpConnector c = http("""
          path: /old
          auth: { type: api-key, name: X-Key, value: k-123 }
          records: { key: id }
          """);
      assertThatThrownBy(() -> read(c, time, null)).hasMessageContaining("redirected to another origin");
      assertThat(other.requests).isEmpty();
    }
  }
}
