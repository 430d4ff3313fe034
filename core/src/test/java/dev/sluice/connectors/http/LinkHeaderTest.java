package dev.sluice.connectors.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LinkHeaderTest {

  @Test
  void severalLinksWithQuotedParametersHoldingCommasAndSemicolons() {
    List<LinkHeader.Link> links = LinkHeader.parse(List.of(
        "<https://api.example.com/items?page=2&a=b,c>; rel=\"next\"; title=\"page 2; of 9, really\","
            + " <https://api.example.com/items?page=9>; rel=last"));
    assertThat(links).hasSize(2);
    assertThat(links.get(0).target()).isEqualTo("https://api.example.com/items?page=2&a=b,c");
    assertThat(links.get(0).parameters()).containsEntry("title", "page 2; of 9, really");
    assertThat(links.get(1).rels()).containsExactly("last");
  }

  @Test
  void relListsAreSplitAndComparedCaseInsensitively() {
    List<String> header = List.of("</p/5>; REL=\"Prefetch NEXT\"");
    assertThat(LinkHeader.parse(header).get(0).rels()).containsExactly("prefetch", "next");
    assertThat(LinkHeader.find(header, "next")).contains("/p/5");
  }

  @Test
  void theFirstRelOfALinkCountsAndSeveralHeaderLinesAreRead() {
    List<String> header = List.of("</a>; rel=prev; rel=next", "</b>; rel=next");
    assertThat(LinkHeader.find(header, "next")).contains("/b");
  }

  @Test
  void escapedQuotesInsideQuotedStrings() {
    LinkHeader.Link l = LinkHeader.parse(List.of("</x>; title=\"say \\\"hi\\\", then go\"; rel=next")).get(0);
    assertThat(l.parameters()).containsEntry("title", "say \"hi\", then go").containsEntry("rel", "next");
  }

  @Test
  void malformedValuesAreSkippedAndTheRestIsRead() {
    List<LinkHeader.Link> links = LinkHeader.parse(List.of(
        "garbage, <no-close; rel=next", "</ok>; rel=next, <>; =x, </unterminated>; title=\"abc"));
    assertThat(links).extracting(LinkHeader.Link::target).containsExactly("/ok");
  }

  @Test
  void nothingToFind() {
    assertThat(LinkHeader.find(List.of(), "next")).isEmpty();
    assertThat(LinkHeader.find(List.of("</a>; rel=last"), "next")).isEmpty();
    assertThat(LinkHeader.parse(null)).isEmpty();
  }
}
