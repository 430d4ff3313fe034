package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Sluice;
import org.junit.jupiter.api.Test;

/** Core's and the testkit's public API show no internal types; the checker finds a leak when there is one. */
public class ApiBoundaryTest {
  @Test
  void coreShowsNoInternalTypesInItsPublicApi() {
    assertThat(ApiBoundary.leaks(Sluice.class)).isEmpty();
  }

  @Test
  void testkitShowsNoInternalTypesInItsPublicApi() {
    assertThat(ApiBoundary.leaks(ApiBoundary.class)).isEmpty();
  }

  @Test
  void findsInternalTypesInSignatures() {
    assertThat(ApiBoundary.leaksOf(Leaky.class))
        .anySatisfy(l -> assertThat(l).contains("Leaky.helper() returns dev.sluice.internal.Json"))
        .anySatisfy(l -> assertThat(l).contains("Leaky.take() takes dev.sluice.internal.Json"))
        .anySatisfy(l -> assertThat(l).contains("Leaky.field dev.sluice.internal.Json"))
        .hasSize(3);
    assertThat(ApiBoundary.leaksOf(Clean.class)).isEmpty();
  }

  /** Public members showing internal types: a return type, a type argument, a field. */
  public static class Leaky {
    public dev.sluice.internal.Json field;

    public dev.sluice.internal.Json helper() {
      return null;
    }

    public void take(java.util.List<? extends dev.sluice.internal.Json> list) {}

    void packagePrivateIsFine(dev.sluice.internal.Json json) {}
  }

  /** Internal types used only in private or package-private members. */
  public static class Clean {
    private dev.sluice.internal.Json field;

    void use(dev.sluice.internal.Json json) {}
  }
}
