package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.Sluice;
import dev.sluice.record.Record;
import dev.sluice.spi.DeliveryResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a connector notes through {@code ReadContext.note} reaches the run's report, bounded. */
class SourceNotesTest {

  @Test
  void aConnectorsNotesAreInTheRunReportCutAndCapped() {
    try (Sluice sluice = Sluice.builder()
        .destination("sink", batch -> DeliveryResult.success())
        .pipeline("p", p -> p
            .source((context, from, emitter) -> {
              context.note("quota used: 12 tokens");
              context.note("   ");
              context.note(null);
              context.note("x".repeat(600));
              for (int i = 0; i < 30; i++) {
                context.note("note " + i);
              }
              emitter.emit(Record.of("k", new ObjectMapper().createObjectNode().put("a", 1)));
            })
            .route(r -> r.name("all").to("sink")))
        .build()) {
      RunReport report = sluice.run("p");
      assertThat(report.succeeded()).as(report.toString()).isTrue();
      List<String> notes = report.notes();
      assertThat(notes.get(0)).isEqualTo("source: quota used: 12 tokens");
      assertThat(notes.get(1)).startsWith("source: xxx").hasSize("source: ".length() + 500 + 1).endsWith("…");
      // 20 kept (blank and null ignored), then one line saying the rest was dropped
      assertThat(notes).hasSize(21);
      assertThat(notes.get(19)).isEqualTo("source: note 17");
      assertThat(notes.get(20)).isEqualTo("source: further notes dropped (at most 20 per run)");
      assertThat(report.render()).contains("quota used: 12 tokens");
    }
  }
}
