package dev.sluice.destinations.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SSRF guard decides on the addresses an injected resolver gives: nothing here connects
 * anywhere, and no name is looked up in real DNS.
 */
class TargetGuardTest {
  private final List<String> lookups = new ArrayList<>();

  /** A resolver that answers {@code host -> address literal} from the map. */
  private TargetGuard.Resolver dns(Map<String, String> answers) {
    return host -> {
      lookups.add(host);
      String a = answers.get(host);
      if (a == null) {
        throw new UnknownHostException(host);
      }
      return new InetAddress[] {InetAddress.getByName(a)};
    };
  }

  private static InetAddress v6(String literal) throws UnknownHostException {
    // Inet6Address.getByAddress keeps IPv4-mapped forms as IPv6, as a resolver may return them.
    return Inet6Address.getByAddress(null, InetAddress.getByName(literal).getAddress().length == 16
        ? InetAddress.getByName(literal).getAddress() : mapped(InetAddress.getByName(literal).getAddress()), -1);
  }

  private static byte[] mapped(byte[] v4) {
    byte[] out = new byte[16];
    out[10] = (byte) 0xFF;
    out[11] = (byte) 0xFF;
    System.arraycopy(v4, 0, out, 12, 4);
    return out;
  }

  @ParameterizedTest(name = "{0} is refused as {1}")
  @CsvSource(delimiter = '|', value = {
      "127.0.0.1|loopback", "127.255.0.9|loopback", "::1|loopback",
      "169.254.169.254|link-local", "169.254.0.1|link-local", "fe80::1|link-local",
      "10.0.0.5|private", "172.16.0.1|private", "172.31.255.255|private", "192.168.1.1|private",
      "100.64.0.1|carrier-grade NAT", "100.127.255.254|carrier-grade NAT",
      "fc00::1|unique-local", "fd12:3456::1|unique-local", "fec0::1|site-local",
      "0.0.0.0|unspecified", "0.1.2.3|unspecified", "::|unspecified",
      "224.0.0.1|multicast", "239.255.255.250|multicast", "ff02::1|multicast",
      "255.255.255.255|reserved or broadcast", "240.0.0.1|reserved or broadcast",
      "64:ff9b::a9fe:a9fe|NAT64 link-local"})
  void internalAddressesAreRefused(String address, String range) {
    TargetGuard guard = new TargetGuard(List.of(), dns(Map.of("hooks.example.test", address)));
    assertThatThrownBy(() -> guard.resolve("hooks.example.test"))
        .isInstanceOf(TargetGuard.RefusedTargetException.class)
        .hasMessageContaining("hooks.example.test resolves to")
        .hasMessageContaining(range)
        .hasMessageContaining("allowedTargets");
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "10.1.2.3", "169.254.169.254", "192.168.0.10", "100.64.1.1", "0.0.0.0"})
  void ipv4MappedIpv6FormsAreRefusedLikeTheirIpv4Address(String v4) throws Exception {
    InetAddress mapped = v6(v4);
    assertThat(mapped).isInstanceOf(Inet6Address.class);
    TargetGuard guard = new TargetGuard(List.of(), host -> new InetAddress[] {mapped});
    assertThatThrownBy(() -> guard.resolve("mapped.example.test"))
        .isInstanceOf(TargetGuard.RefusedTargetException.class)
        .hasMessageContaining("IPv4-mapped");
  }

  @Test
  void aHostIsRefusedWhenAnyOfItsAddressesIsInternal() throws Exception {
    InetAddress[] both = {InetAddress.getByName("93.184.216.34"), InetAddress.getByName("10.0.0.7")};
    TargetGuard guard = new TargetGuard(List.of(), host -> both);
    assertThatThrownBy(() -> guard.resolve("split.example.test"))
        .isInstanceOf(TargetGuard.RefusedTargetException.class).hasMessageContaining("10.0.0.7");
  }

  @ParameterizedTest
  @ValueSource(strings = {"93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:2800:220:1::1", "::ffff:8.8.8.8"})
  void publicAddressesPass(String address) throws Exception {
    TargetGuard guard = new TargetGuard(List.of(), dns(Map.of("public.example.test", address)));
    assertThat(guard.resolve("public.example.test")).extracting(InetAddress::getHostAddress)
        .containsExactly(InetAddress.getByName(address).getHostAddress());
  }

  @Test
  void theAllowListAdmitsHostsAddressesAndBlocks() throws Exception {
    Map<String, String> answers = Map.of("hooks.internal", "10.9.9.9", "other.internal", "10.20.1.2",
        "loop.example.test", "127.0.0.1", "v6.internal", "fd00::5", "metadata.example.test", "169.254.169.254");
    TargetGuard guard = new TargetGuard(List.of("Hooks.Internal", "10.20.0.0/16", "127.0.0.1", "fd00::/8"), dns(answers));

    assertThat(guard.resolve("hooks.internal")).hasSize(1);
    assertThat(guard.resolve("HOOKS.internal")).as("case-insensitive").hasSize(1);
    assertThat(guard.resolve("other.internal")).hasSize(1);
    assertThat(guard.resolve("loop.example.test")).hasSize(1);
    assertThat(guard.resolve("v6.internal")).hasSize(1);
    assertThatThrownBy(() -> guard.resolve("metadata.example.test"))
        .as("only what is listed").isInstanceOf(TargetGuard.RefusedTargetException.class);
  }

  @Test
  void literalHostsAreCheckedToo() {
    TargetGuard guard = new TargetGuard(List.of(), TargetGuard::systemResolve);
    assertThatThrownBy(() -> guard.resolve("127.0.0.1")).isInstanceOf(TargetGuard.RefusedTargetException.class);
    assertThatThrownBy(() -> guard.resolve("[::1]")).isInstanceOf(TargetGuard.RefusedTargetException.class);
    assertThatThrownBy(() -> guard.resolve("169.254.169.254")).hasMessageContaining("link-local");
  }

  @Test
  void invalidAllowListEntriesAreRejectedNamingThem() {
    for (String bad : List.of("10.0.0.0/33", "fd00::/129", "not a host", "10.0.0.0/x", "")) {
      assertThatThrownBy(() -> new TargetGuard(List.of(bad), TargetGuard::systemResolve))
          .as(bad).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> new TargetGuard(List.of("10.0.0.0/33"), TargetGuard::systemResolve))
        .hasMessageContaining("'10.0.0.0/33'");
    assertThat(lookups).as("parsing the allow-list looks nothing up").isEmpty();
  }
}
