package dev.sluice.destinations.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A server binary the tests need and can't find is a failure naming the Debian package, never a skip. */
class LocalServersTest {
  @Test
  void aMissingBinaryFailsNamingTheDebianPackage() {
    assertThatThrownBy(() -> LocalServers.binary("prometheus-not-installed-here", "prometheus"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("'prometheus-not-installed-here' is not installed")
        .hasMessageContaining("install the Debian package 'prometheus'")
        .hasMessageContaining("apt-get install -y --no-install-recommends prometheus");
  }

  @Test
  void theBinariesTheTestsUseAreFound() {
    assertThat(LocalServers.binary("prometheus", "prometheus")).endsWith("/prometheus");
    assertThat(LocalServers.binary("promtool", "prometheus")).endsWith("/promtool");
    assertThat(LocalServers.binary("prometheus-pushgateway", "prometheus-pushgateway")).endsWith("/prometheus-pushgateway");
  }
}
