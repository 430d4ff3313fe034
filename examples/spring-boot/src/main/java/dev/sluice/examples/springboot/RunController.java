package dev.sluice.examples.springboot;

import dev.sluice.Sluice;
import dev.sluice.schedule.RunHandle;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The application's own endpoint that starts a pipeline run: the {@link Sluice} bean is injected
 * like any other. {@code POST /runs/orders} answers 202 with the run id; the run goes on in the
 * background, subject to the pipeline's overlap policy.
 *
 * <p>Thread-safe.
 */
@RestController
public class RunController {
  private final Sluice sluice;

  public RunController(Sluice sluice) {
    this.sluice = sluice;
  }

  /** Starts a run of {@code pipeline}; 404 when there is no such pipeline. */
  @PostMapping("/runs/{pipeline}")
  public ResponseEntity<Map<String, String>> run(@PathVariable String pipeline) {
    if (!sluice.pipelineNames().contains(pipeline)) {
      return ResponseEntity.notFound().build();
    }
    RunHandle run = sluice.trigger(pipeline);
    return ResponseEntity.accepted().body(Map.of("runId", run.id(), "pipeline", pipeline));
  }
}
