package dev.sluice.benchmarks;

import dev.sluice.auth.SecretBox;
import dev.sluice.auth.Secrets;
import dev.sluice.store.InMemoryStore;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What opening the secrets costs, which Sluice pays once per store and process (never per secret):
 * {@link Secrets#open} on a store with a key record (PBKDF2-HMAC-SHA256, 600,000 iterations, plus
 * the key check) against the JDK's bare PBKDF2 at 600,000 and at the 210,000 iterations of the
 * earlier format, and reading one secret once the key is derived.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SecretKeyDerivationBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class SecretKeyDerivationBenchmark {
  private static final String PASSPHRASE = "correct horse battery staple";
  private final InMemoryStore store = new InMemoryStore();
  private Secrets opened;

  @Setup
  public void setUp() {
    opened = Secrets.open(store.secrets().orElseThrow(), PASSPHRASE.toCharArray());
    opened.put("hubspot_token", "pat-na1-0123456789");
  }

  @Benchmark
  public Secrets sluiceOpenSecrets() {
    return Secrets.open(store.secrets().orElseThrow(), PASSPHRASE.toCharArray());
  }

  @Benchmark
  public String sluiceGetOneSecretAfterOpen() {
    return opened.get("hubspot_token").orElseThrow();
  }

  @Benchmark
  public byte[] jdkPbkdf2At600k() throws Exception {
    return pbkdf2(SecretBox.ITERATIONS);
  }

  @Benchmark
  public byte[] jdkPbkdf2At210k() throws Exception {
    return pbkdf2(210_000);
  }

  private static byte[] pbkdf2(int iterations) throws Exception {
    return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
        .generateSecret(new PBEKeySpec(PASSPHRASE.toCharArray(), new byte[16], iterations, 256)).getEncoded();
  }
}
