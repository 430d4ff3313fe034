package dev.sluice.internal;

import dev.sluice.spi.ConnectionCheckResult;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The connection check of plugins that talk HTTP to an arbitrary URL (the {@code webhook}
 * destination, the {@code http} connector): resolve the host, open a TCP connection, close it. No
 * request is sent, so the remote side sees no delivery and no read. Messages name the URL's origin
 * only (scheme, host, port): its path and query may carry a token.
 */
public final class TcpCheck {
  private TcpCheck() {}

  /** Looks a host up, e.g. through an SSRF guard. */
  @FunctionalInterface
  public interface Resolver {
    /**
     * @param host the host name or address literal
     * @return the addresses to try
     * @throws UnknownHostException when it does not resolve or is refused
     */
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  /**
   * Resolves {@code url}'s host, connects to the first address that answers, closes.
   *
   * @param what names the plugin in messages
   * @param url an absolute http or https URL
   * @param timeout connect timeout per address
   * @param resolver how to resolve the host
   * @return ok (naming the address) or failed (naming the origin and the reason)
   */
  public static ConnectionCheckResult check(String what, URI url, Duration timeout, Resolver resolver) {
    String host = url.getHost();
    int port = url.getPort() >= 0 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    String origin = url.getScheme() + "://" + host + (url.getPort() < 0 ? "" : ":" + url.getPort());
    Map<String, String> details = new LinkedHashMap<>();
    details.put("host", host);
    details.put("port", Integer.toString(port));
    InetAddress[] addresses;
    try {
      addresses = resolver.resolve(host);
    } catch (UnknownHostException e) {
      return ConnectionCheckResult.failed(what + ": can't use " + origin + ": "
          + (e.getMessage() == null ? "unknown host" : e.getMessage()), details);
    }
    String last = "no address";
    for (InetAddress address : addresses) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(address, port), (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis())));
        details.put("address", address.getHostAddress());
        return ConnectionCheckResult.ok(what + ": " + origin + " accepts connections (at "
            + address.getHostAddress() + "); no request was sent", details);
      } catch (IOException e) {
        last = address.getHostAddress() + " port " + port + ": " + e.getMessage();
      }
    }
    return ConnectionCheckResult.failed(what + ": can't connect to " + origin + " (" + last + ")", details);
  }
}
