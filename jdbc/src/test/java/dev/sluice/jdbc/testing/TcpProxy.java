package dev.sluice.jdbc.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback TCP proxy in front of a database server, to simulate an outage for real: {@link
 * #cutOff()} drops every open connection and refuses new ones until {@link #restore()}. Only
 * 127.0.0.1 is ever involved.
 *
 * <p>Thread-safe. Close it to stop listening.
 */
public final class TcpProxy implements AutoCloseable {
  private final int targetPort;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "tcp-proxy");
    t.setDaemon(true);
    return t;
  });
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final int port;
  private volatile ServerSocket server;

  public TcpProxy(int targetPort) {
    this.targetPort = targetPort;
    this.server = listen(0);
    this.port = server.getLocalPort();
    accept(server);
  }

  public int port() {
    return port;
  }

  /** Drops all connections and stops accepting new ones (connection refused). */
  public synchronized void cutOff() {
    closeQuietly(server);
    for (Socket s : open) {
      closeQuietly(s);
    }
    open.clear();
  }

  /** Accepts connections again, on the same port. */
  public synchronized void restore() {
    server = listen(port);
    accept(server);
  }

  private static ServerSocket listen(int port) {
    try {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException("could not listen on loopback port " + port, e);
    }
  }

  private void accept(ServerSocket listening) {
    threads.execute(() -> {
      while (!listening.isClosed()) {
        try {
          Socket client = listening.accept();
          Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
          open.add(client);
          open.add(upstream);
          threads.execute(() -> pump(client, upstream));
          threads.execute(() -> pump(upstream, client));
        } catch (IOException e) {
          return; // closed by cutOff() or close()
        }
      }
    });
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
      }
    } catch (IOException e) {
      // connection cut: close both sides below
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      open.remove(from);
      open.remove(to);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // already closed
    }
  }

  @Override
  public void close() {
    cutOff();
    threads.shutdownNow();
  }
}
