package dev.sluice.connectors.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A request as configured: method, path, query parameters, headers and JSON body, all templates.
 * Rendering percent-encodes every inserted value in the path and the query; a parameter, header or
 * body field whose template is one expression without value (and without default) is left out.
 *
 * <p>Immutable and thread-safe.
 */
final class RequestSpec {
  static final Set<String> SCOPES = Set.of("params", "checkpoint", "partition", "page", "cursor");

  final String method;
  private final URI baseUrl;
  private final Template path;
  private final List<Map.Entry<String, Template>> query;
  private final Map<String, Template> headers;
  private final JsonNode body;
  private final Map<String, Template> bodyTemplates = new LinkedHashMap<>();

  /**
   * @param where the option these come from, for messages ({@code "request"})
   * @throws IllegalArgumentException naming the option and the problem
   */
  RequestSpec(String where, URI baseUrl, String method, String path, List<Map.Entry<String, String>> query,
      Map<String, String> headers, JsonNode body) {
    this.method = method;
    this.baseUrl = baseUrl;
    this.path = compile(where + ".path", path == null ? "" : path);
    List<Map.Entry<String, Template>> q = new ArrayList<>();
    for (Map.Entry<String, String> e : query) {
      q.add(Map.entry(e.getKey(), compile(where + ".query." + e.getKey(), e.getValue())));
    }
    this.query = List.copyOf(q);
    Map<String, Template> h = new LinkedHashMap<>();
    headers.forEach((k, v) -> {
      OutgoingRequest.checkHeader(k, "");
      h.put(k, compile(where + ".headers." + k, v));
    });
    this.headers = h;
    this.body = body == null || body.isNull() ? null : body.deepCopy();
    if (this.body != null) {
      if (method.equals("GET") || method.equals("HEAD")) {
        throw new IllegalArgumentException(where + ".body: a " + method + " request has no body; use method: POST");
      }
      collectBodyTemplates(where + ".body", this.body);
    }
  }

  private static Template compile(String where, String text) {
    try {
      return Template.parse(text).requireScopes(SCOPES, where);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  private void collectBodyTemplates(String where, JsonNode node) {
    if (node.isTextual()) {
      bodyTemplates.computeIfAbsent(node.textValue(), t -> compile(where, t));
    } else if (node.isObject()) {
      node.properties().forEach(e -> collectBodyTemplates(where + "." + e.getKey(), e.getValue()));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collectBodyTemplates(where + "[" + i + "]", node.get(i));
      }
    }
  }

  /** Every {@code scope.name} its templates refer to, e.g. {@code page.cursor}. */
  Set<String> references() {
    Set<String> out = new LinkedHashSet<>(path.references());
    query.forEach(e -> out.addAll(e.getValue().references()));
    headers.values().forEach(t -> out.addAll(t.references()));
    bodyTemplates.values().forEach(t -> out.addAll(t.references()));
    return out;
  }

  /**
   * The request for these values.
   *
   * @param extraQuery parameters added by pagination and incremental sync; they replace configured
   *     ones of the same name
   * @throws Template.RenderException when a template has no value
   */
  OutgoingRequest render(ReadVars vars, Map<String, String> extraQuery, ObjectMapper mapper) {
    String renderedPath = path.render(vars, OutgoingRequest::encode);
    URI uri = resolve(renderedPath);
    for (Map.Entry<String, Template> e : query) {
      if (extraQuery.containsKey(e.getKey())) {
        continue;
      }
      String value = optional(e.getValue(), vars);
      if (value != null) {
        uri = OutgoingRequest.withQueryParameter(uri, e.getKey(), value);
      }
    }
    for (Map.Entry<String, String> e : extraQuery.entrySet()) {
      uri = OutgoingRequest.withQueryParameter(uri, e.getKey(), e.getValue());
    }
    byte[] bytes = null;
    if (body != null) {
      try {
        bytes = mapper.writeValueAsBytes(renderBody(body, vars));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException("can't write the request body: " + e.getOriginalMessage(), e);
      }
    }
    OutgoingRequest request = new OutgoingRequest(method, uri, bytes);
    request.setHeader("Accept", "application/json, application/x-ndjson;q=0.9, text/csv;q=0.8, */*;q=0.5");
    if (bytes != null) {
      request.setHeader("Content-Type", "application/json");
    }
    for (Map.Entry<String, Template> h : headers.entrySet()) {
      String value = optional(h.getValue(), vars);
      if (value != null) {
        request.setHeader(h.getKey(), value);
      }
    }
    return request;
  }

  /** The value, or null when a single-expression template has none. */
  private static String optional(Template t, ReadVars vars) {
    if (t.isSingleExpression()) {
      JsonNode v = t.renderValue(vars);
      return v == null ? null : Template.asText(v);
    }
    return t.render(vars, s -> s);
  }

  private JsonNode renderBody(JsonNode node, ReadVars vars) {
    if (node.isTextual()) {
      JsonNode v = bodyTemplates.get(node.textValue()).renderValue(vars);
      return v; // may be null: left out by the caller
    }
    if (node.isObject()) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      node.properties().forEach(e -> {
        JsonNode v = renderBody(e.getValue(), vars);
        if (v != null) {
          out.set(e.getKey(), v);
        }
      });
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      for (JsonNode item : node) {
        JsonNode v = renderBody(item, vars);
        if (v != null) {
          out.add(v);
        }
      }
      return out;
    }
    return node;
  }

  private URI resolve(String renderedPath) {
    if (renderedPath.startsWith("http://") || renderedPath.startsWith("https://")) {
      return URI.create(renderedPath);
    }
    String base = baseUrl.toString();
    if (renderedPath.isEmpty()) {
      return baseUrl;
    }
    String joined = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
        + (renderedPath.startsWith("/") ? "" : "/") + renderedPath;
    try {
      return new URI(joined);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("the request URL '" + joined + "' is invalid: " + e.getReason());
    }
  }
}
