package dev.sluice.examples.webhookhost;

import dev.sluice.Sluice;
import dev.sluice.schedule.WebhookSignature;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;

/**
 * A host application that receives GitHub push webhooks: each commit of a push becomes a record;
 * commits whose message mentions a fix go to the log, every commit to {@code out/commits.jsonl}.
 *
 * <p>Run it with the webhook's secret in {@code SLUICE_GITHUB_SECRET} and point a GitHub webhook
 * (content type {@code application/json}) at {@code http://<host>:8080/hooks/github}.
 */
public final class WebhookHostMain {
  private WebhookHostMain() {}

  public static void main(String[] args) throws Exception {
    String secret = System.getenv("SLUICE_GITHUB_SECRET");
    if (secret == null || secret.isBlank()) {
      System.err.println("Set SLUICE_GITHUB_SECRET to the secret of your GitHub webhook.");
      System.exit(2);
    }
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
    WebhookHost host = WebhookHost.serve(sluice(Path.of("."), secret), new InetSocketAddress(port));
    Runtime.getRuntime().addShutdownHook(new Thread(host::close));
    System.out.println("Listening on http://localhost:" + host.port() + "/hooks/github");
  }

  /** The pipeline: GitHub push payloads in, one record per commit, keyed by the commit id. */
  public static Sluice sluice(Path base, String githubSecret) {
    return Sluice.builder()
        .destination("commits", "file", Map.of("path", base.resolve("out/commits.jsonl").toString()))
        .destination("console", "log", Map.of("maxChars", 160))
        .pipeline("github-pushes", p -> p
            .source("webhook", Map.of("records", "commits", "key", "id"))
            .webhook("/hooks/github", WebhookSignature.github(githubSecret))
            .route(r -> r.name("fixes").when("$.message =~ /fix/i").to("console"))
            .route(r -> r.name("every-commit").to("commits")))
        .build();
  }
}
