package dev.sluice.connectors.http;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;

/**
 * {@code Link} headers come from the API, i.e. untrusted input: parsing any header value must
 * return links (possibly none) and never throw; every link found has a target and lower-case rels.
 *
 * <p>The default test run replays the committed corpus in {@code LinkHeaderFuzzTestInputs/}; the
 * build's {@code fuzz} execution fuzzes for {@code maxDuration}.
 */
class LinkHeaderFuzzTest {

  @FuzzTest(maxDuration = "20s")
  void parsesAnyHeaderWithoutThrowing(FuzzedDataProvider data) {
    String first = data.consumeString(300);
    String second = data.consumeRemainingAsString();
    List<LinkHeader.Link> links = LinkHeader.parse(List.of(first, second));
    for (LinkHeader.Link link : links) {
      if (link.target() == null) {
        throw new AssertionError("a link without target from " + first + " / " + second);
      }
      for (String rel : link.rels()) {
        if (rel.isEmpty() || !rel.equals(rel.toLowerCase(java.util.Locale.ROOT))) {
          throw new AssertionError("rel '" + rel + "' is empty or not lower case");
        }
      }
    }
    LinkHeader.find(List.of(first, second), "next");
  }
}
