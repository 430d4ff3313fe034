package dev.sluice.auth;

import dev.sluice.spi.AuthRequest;
import dev.sluice.store.InMemoryStore;
import dev.sluice.store.Store;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/** A LocalAuth on an in-memory store with a hand-moved clock and a cheap password hasher. */
final class AuthFixture {
  static final Instant T0 = Instant.parse("2026-06-01T08:00:00Z");
  static final int TEST_ITERATIONS = 1_000;

  final MutableClock clock = new MutableClock(T0);
  final Store store;
  final Secrets secrets;
  final LocalAuth auth;

  AuthFixture() {
    this(LocalAuthSettings.defaults());
  }

  AuthFixture(LocalAuthSettings settings) {
    this(new InMemoryStore(), settings);
  }

  AuthFixture(Store store, LocalAuthSettings settings) {
    this.store = store;
    // A master key made at test time; Secrets clears the array.
    this.secrets = Secrets.open(store.secrets().orElseThrow(), ("master-" + UUID.randomUUID()).toCharArray());
    this.auth = LocalAuth.builder(store, secrets)
        .clock(clock)
        .settings(settings)
        .passwordHasher(PasswordHasher.withIterations(TEST_ITERATIONS))
        .build();
  }

  /** A password that passes the policy, made at test time. */
  static char[] newPassword() {
    return ("pw-" + UUID.randomUUID()).toCharArray();
  }

  static AuthRequest bearer(String token) {
    return new AuthRequest("GET", "/api/v1/pipelines", Map.of("Authorization", List.of("Bearer " + token)));
  }

  static AuthRequest apiKeyHeader(String key) {
    return new AuthRequest("GET", "/api/v1/pipelines", Map.of("X-API-Key", List.of(key)));
  }

  /** Runs {@code action} and returns it with what it wrote to System.err (where slf4j-simple logs). */
  static <T> Captured<T> capturingLog(Supplier<T> action) {
    PrintStream original = System.err;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      T value = action.get();
      System.err.flush();
      return new Captured<>(value, buffer.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(original);
    }
  }

  record Captured<T>(T value, String log) {}
}
