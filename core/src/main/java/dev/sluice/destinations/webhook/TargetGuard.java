package dev.sluice.destinations.webhook;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The SSRF guard of the {@code webhook} destination: resolves a target host once and refuses it
 * when any address it resolves to is internal, unless the host or the address is on the
 * allow-list. The HTTP client then connects to exactly the addresses checked here (it asks this
 * guard, not the system resolver, for every new connection), so DNS can't hand out a different,
 * internal address between the check and the connection.
 *
 * <p>Refused by default: loopback ({@code 127.0.0.0/8}, {@code ::1}), link-local ({@code
 * 169.254.0.0/16} with the cloud metadata address {@code 169.254.169.254}, {@code fe80::/10}),
 * private ({@code 10.0.0.0/8}, {@code 172.16.0.0/12}, {@code 192.168.0.0/16}, carrier-grade NAT
 * {@code 100.64.0.0/10}, unique-local {@code fc00::/7}, site-local {@code fec0::/10}),
 * "this network" and unspecified ({@code 0.0.0.0/8}, {@code ::}), multicast ({@code 224.0.0.0/4},
 * {@code ff00::/8}), reserved and broadcast ({@code 240.0.0.0/4}), and the IPv6 forms that embed
 * one of these IPv4 addresses (IPv4-mapped {@code ::ffff:0:0/96}, IPv4-compatible {@code ::/96},
 * NAT64 {@code 64:ff9b::/96}).
 *
 * <p>Allow-list entries: a host name (matched case-insensitively against the URL's host: every
 * address it resolves to is then accepted), an IP address, or a CIDR block such as {@code
 * 10.1.0.0/16} or {@code fd00::/8}.
 *
 * <p>Immutable and thread-safe when the resolver is.
 */
final class TargetGuard {
  /** Looks a host up; {@link InetAddress#getAllByName} by default. Tests inject their own. */
  @FunctionalInterface
  interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  /** A refused target; a {@link UnknownHostException} so that it passes through the HTTP client's resolver hook. */
  static final class RefusedTargetException extends UnknownHostException {
    RefusedTargetException(String message) {
      super(message);
    }
  }

  private record Block(byte[] prefix, int bits, String label) {
    boolean contains(byte[] address) {
      if (address.length != prefix.length) {
        return false;
      }
      int full = bits / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != prefix[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xFF << (8 - rest)) & 0xFF;
      return (address[full] & mask) == (prefix[full] & mask);
    }
  }

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final List<Block> BLOCKED = List.of(
      block("0.0.0.0/8", "unspecified (this network)"),
      block("10.0.0.0/8", "private (RFC 1918)"),
      block("100.64.0.0/10", "carrier-grade NAT (RFC 6598)"),
      block("127.0.0.0/8", "loopback"),
      block("169.254.0.0/16", "link-local (incl. cloud metadata)"),
      block("172.16.0.0/12", "private (RFC 1918)"),
      block("192.168.0.0/16", "private (RFC 1918)"),
      block("224.0.0.0/4", "multicast"),
      block("240.0.0.0/4", "reserved or broadcast"),
      block("::/128", "unspecified"),
      block("::1/128", "loopback"),
      block("fe80::/10", "link-local"),
      block("fec0::/10", "site-local"),
      block("fc00::/7", "unique-local (private)"),
      block("ff00::/8", "multicast"));
  /** IPv6 prefixes whose last 32 bits are an IPv4 address that is checked in turn. */
  private static final List<Block> EMBEDDING_IPV4 = List.of(
      block("::ffff:0:0/96", "IPv4-mapped"),
      block("::/96", "IPv4-compatible"),
      block("64:ff9b::/96", "NAT64"));

  private final Set<String> allowedHosts;
  private final List<Block> allowedBlocks;
  private final Resolver resolver;

  /**
   * @param allowed host names, IP addresses and CIDR blocks that may be internal
   * @throws IllegalArgumentException naming an entry that is none of these
   */
  TargetGuard(List<String> allowed, Resolver resolver) {
    this.resolver = Objects.requireNonNull(resolver, "resolver");
    Set<String> hosts = new TreeSet<>();
    List<Block> blocks = new ArrayList<>();
    for (String entry : allowed) {
      String e = Objects.requireNonNull(entry, "allowed target").trim().toLowerCase(Locale.ROOT);
      if (e.isEmpty()) {
        throw new IllegalArgumentException("an allowed target must not be empty");
      }
      if (e.contains("/") || e.contains(":") || IPV4.matcher(e).matches()) {
        blocks.add(parseBlock(e, "allowed"));
      } else if (e.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\\.?")) {
        hosts.add(e.endsWith(".") ? e.substring(0, e.length() - 1) : e);
      } else {
        throw new IllegalArgumentException("allowed target '" + entry + "' is neither a host name, an IP address"
            + " nor a CIDR block such as 10.0.0.0/8");
      }
    }
    this.allowedHosts = Set.copyOf(hosts);
    this.allowedBlocks = List.copyOf(blocks);
  }

  /** The system resolver. */
  static InetAddress[] systemResolve(String host) throws UnknownHostException {
    return InetAddress.getAllByName(host);
  }

  /**
   * Resolves {@code host} and checks every address.
   *
   * @return the addresses, all allowed; the caller connects to these and no others
   * @throws RefusedTargetException when an address is internal and not allowed (naming host,
   *     address and range)
   * @throws UnknownHostException when the host does not resolve
   */
  InetAddress[] resolve(String host) throws UnknownHostException {
    String name = stripBrackets(Objects.requireNonNull(host, "host")).toLowerCase(Locale.ROOT);
    InetAddress[] addresses = resolver.resolve(name);
    if (addresses == null || addresses.length == 0) {
      throw new UnknownHostException(name + " resolves to no address");
    }
    if (allowedHosts.contains(name.endsWith(".") ? name.substring(0, name.length() - 1) : name)) {
      return addresses.clone();
    }
    for (InetAddress a : addresses) {
      String refusal = refusal(a.getAddress());
      if (refusal != null) {
        throw new RefusedTargetException("webhook target " + name + " resolves to " + a.getHostAddress() + ", a "
            + refusal + " address: refused to prevent server-side request forgery; if this target is"
            + " intended, add the host or a CIDR block to allowedTargets");
      }
    }
    return addresses.clone();
  }

  /** Why {@code address} is refused, or null when it may be contacted. */
  String refusal(byte[] address) {
    for (Block allowed : allowedBlocks) {
      if (allowed.contains(address)) {
        return null;
      }
    }
    for (Block b : BLOCKED) {
      if (b.contains(address)) {
        return b.label();
      }
    }
    if (address.length == 16) {
      for (Block embedding : EMBEDDING_IPV4) {
        if (embedding.contains(address)) {
          String inner = refusal(Arrays.copyOfRange(address, 12, 16));
          if (inner != null) {
            return embedding.label() + " " + inner;
          }
        }
      }
    }
    return null;
  }

  private static String stripBrackets(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  private static Block block(String cidr, String label) {
    Block b = parseBlock(cidr, label);
    return new Block(b.prefix(), b.bits(), label);
  }

  /** An IP literal or CIDR block; never a DNS lookup. */
  private static Block parseBlock(String text, String label) {
    int slash = text.indexOf('/');
    String addressText = stripBrackets(slash < 0 ? text : text.substring(0, slash));
    if (!(IPV4.matcher(addressText).matches() || addressText.contains(":"))) {
      throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR block");
    }
    byte[] address;
    try {
      // A literal (digits and dots, or containing ':') is parsed, never looked up.
      address = InetAddress.getByName(addressText).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR block");
    }
    if (addressText.contains(":") && address.length == 4) {
      // Java turns ::ffff:a.b.c.d into an IPv4 address; keep the IPv6 form for an IPv6 block.
      byte[] mapped = new byte[16];
      mapped[10] = (byte) 0xFF;
      mapped[11] = (byte) 0xFF;
      System.arraycopy(address, 0, mapped, 12, 4);
      address = mapped;
    }
    int bits = address.length * 8;
    if (slash >= 0) {
      try {
        bits = Integer.parseInt(text.substring(slash + 1));
      } catch (NumberFormatException e) {
        bits = -1;
      }
      if (bits < 0 || bits > address.length * 8) {
        throw new IllegalArgumentException("'" + text + "': the prefix length must be 0 to " + address.length * 8);
      }
    }
    return new Block(address, bits, label);
  }

  @Override
  public String toString() {
    return "TargetGuard{allowed hosts=" + allowedHosts + ", allowed blocks=" + allowedBlocks.size() + "}";
  }
}
