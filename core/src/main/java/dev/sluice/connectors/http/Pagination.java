package dev.sluice.connectors.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.routing.JsonPathExpression;
import java.net.URI;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * How one stream's pages follow each other: by page number, by offset and limit, by a cursor
 * from the body, by a next URL in the body, or by a {@code Link} header (RFC 8288). Stops on an
 * empty page, a short page, a missing cursor or next link, {@code hasMore: false}, or {@code
 * maxPages}; the same cursor or next URL twice is a loop and fails the read.
 *
 * <p>Immutable and thread-safe; {@link #start()} makes the per-stream state.
 */
final class Pagination {
  enum Type {
    NONE,
    PAGE,
    OFFSET,
    CURSOR,
    NEXT_URL,
    LINK
  }

  /** A loop: the API handed out the same cursor or next URL twice. */
  static final class LoopException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    LoopException(String message) {
      super(message);
    }
  }

  final Type type;
  final String param; // the page number, offset or cursor parameter; null: a template carries it
  final long start;
  final String sizeParam; // page size / limit parameter; null: none
  final Long size; // page size / limit; null: unknown
  final JsonPathExpression cursor; // CURSOR: where the next cursor is
  final JsonPathExpression next; // NEXT_URL: where the next URL is
  final JsonPathExpression hasMore; // optional: false stops
  final String rel;
  final int maxPages; // 0: unlimited
  final boolean stopOnEmptyPage;
  final boolean stopOnShortPage;
  final boolean allowOtherHosts;

  Pagination(Type type, String param, long start, String sizeParam, Long size, JsonPathExpression cursor,
      JsonPathExpression next, JsonPathExpression hasMore, String rel, int maxPages, boolean stopOnEmptyPage,
      boolean stopOnShortPage, boolean allowOtherHosts) {
    this.type = type;
    this.param = param;
    this.start = start;
    this.sizeParam = sizeParam;
    this.size = size;
    this.cursor = cursor;
    this.next = next;
    this.hasMore = hasMore;
    this.rel = rel;
    this.maxPages = maxPages;
    this.stopOnEmptyPage = stopOnEmptyPage;
    this.stopOnShortPage = stopOnShortPage;
    this.allowOtherHosts = allowOtherHosts;
  }

  static final Pagination NONE =
      new Pagination(Type.NONE, null, 0, null, null, null, null, null, "next", 0, true, false, false);

  Pager start() {
    return new Pager();
  }

  /** One stream's position. Not thread-safe. */
  final class Pager {
    private long number = start;
    private long offset = start;
    private String currentCursor;
    private URI nextUri;
    private int pages;
    private final Set<String> seen = new HashSet<>();

    /** {@code {page.*}}: number, offset, size/limit, cursor. */
    JsonNode vars() {
      ObjectNode v = JsonNodeFactory.instance.objectNode();
      if (type == Type.PAGE) {
        v.put("number", number);
      }
      if (type == Type.OFFSET) {
        v.put("offset", offset);
      }
      if (size != null) {
        v.put("size", size);
        v.put("limit", size);
      }
      if (currentCursor != null) {
        v.put("cursor", currentCursor);
      }
      return v;
    }

    /** Query parameters pagination adds to the configured request. */
    Map<String, String> parameters() {
      Map<String, String> p = new LinkedHashMap<>();
      switch (type) {
        case PAGE:
          put(p, param, Long.toString(number));
          break;
        case OFFSET:
          put(p, param, Long.toString(offset));
          break;
        case CURSOR:
          if (currentCursor != null) {
            put(p, param, currentCursor);
          }
          break;
        default:
          break;
      }
      if (size != null && (type == Type.PAGE || type == Type.OFFSET || type == Type.CURSOR)) {
        put(p, sizeParam, Long.toString(size));
      }
      return p;
    }

    private void put(Map<String, String> p, String name, String value) {
      if (name != null) {
        p.put(name, value);
      }
    }

    /** The absolute URL of the next page, for next-URL and Link pagination after the first page. */
    URI nextUri() {
      return nextUri;
    }

    /** How many pages were read. */
    int pages() {
      return pages;
    }

    /**
     * Moves on after a page.
     *
     * @param document the parsed JSON body, or null (JSON Lines, CSV)
     * @param linkHeaders the response's {@code Link} header values
     * @param pageUri the URI the page came from, to resolve relative next links
     * @param records how many elements the page held
     * @return the reason to stop, or null to fetch the next page
     * @throws LoopException when the next cursor or URL was seen before in this stream
     */
    String advance(JsonNode document, java.util.List<String> linkHeaders, URI pageUri, int records) {
      pages++;
      if (type == Type.NEXT_URL || type == Type.LINK) {
        seen.add(pageUri.toString());
      }
      if (type == Type.NONE) {
        return "no pagination";
      }
      if (records == 0 && stopOnEmptyPage) {
        return "empty page";
      }
      if (maxPages > 0 && pages >= maxPages) {
        return "maxPages (" + maxPages + ") reached";
      }
      if (hasMore != null && document != null) {
        JsonNode more = hasMore.evaluate(document);
        if (more != null && !more.isMissingNode() && !more.isNull() && !more.asBoolean(true)) {
          return "hasMore is false";
        }
      }
      switch (type) {
        case PAGE:
          if (stopOnShortPage && size != null && records < size) {
            return "short page (" + records + " < " + size + ")";
          }
          number++;
          return null;
        case OFFSET:
          if (stopOnShortPage && size != null && records < size) {
            return "short page (" + records + " < " + size + ")";
          }
          offset += records;
          return null;
        case CURSOR: {
          JsonNode c = document == null ? null : cursor.evaluate(document);
          if (c == null || c.isMissingNode() || c.isNull() || (c.isTextual() && c.textValue().isEmpty())
              || c.isContainerNode()) {
            return "no next cursor";
          }
          String value = Template.asText(c);
          if (!seen.add(value)) {
            throw new LoopException("the API returned the cursor '" + value + "' a second time (" + cursor
                + " on page " + pages + "): pagination would loop");
          }
          currentCursor = value;
          return null;
        }
        case NEXT_URL: {
          JsonNode n = document == null ? null : next.evaluate(document);
          if (n == null || !n.isTextual() || n.textValue().isBlank()) {
            return "no next URL";
          }
          return follow(pageUri, n.textValue().trim());
        }
        case LINK: {
          var target = LinkHeader.find(linkHeaders, rel);
          if (target.isEmpty() || target.get().isBlank()) {
            return "no Link rel=\"" + rel + "\"";
          }
          return follow(pageUri, target.get());
        }
        default:
          return "no pagination";
      }
    }

    private String follow(URI pageUri, String target) {
      URI resolved;
      try {
        resolved = pageUri.resolve(new URI(target));
      } catch (java.net.URISyntaxException | IllegalArgumentException e) {
        throw new IllegalStateException("the next page link '" + target + "' is not a valid URL: " + e.getMessage());
      }
      String scheme = resolved.getScheme() == null ? "" : resolved.getScheme().toLowerCase(java.util.Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new IllegalStateException("the next page link '" + target + "' is not an http(s) URL");
      }
      if (!allowOtherHosts && !OutgoingRequest.origin(resolved).equals(OutgoingRequest.origin(pageUri))) {
        throw new IllegalStateException("the next page link " + resolved + " leads to another origin than "
            + OutgoingRequest.origin(pageUri) + "; refused so that credentials don't leak"
            + " (set pagination.allowOtherHosts: true if that host is trusted)");
      }
      if (!seen.add(resolved.toString())) {
        throw new LoopException("the API pointed to the next URL " + resolved + ", which was read before (after page "
            + pages + "): pagination would loop");
      }
      nextUri = resolved;
      return null;
    }
  }
}
