package dev.sluice.destinations.webhook;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A hostile loopback HTTP server: answers the first request with a status and a {@code
 * Content-Length} of {@code bodyBytes}, then writes the body one byte every {@code pauseMillis}
 * (or as fast as the client reads, with 0), until it is written or the client goes away.
 */
final class TricklingServer implements AutoCloseable {
  private final ServerSocket socket;
  private final Thread thread;
  private final AtomicLong written = new AtomicLong();
  private final CountDownLatch done = new CountDownLatch(1);

  TricklingServer(int status, long bodyBytes, long pauseMillis) throws IOException {
    socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    thread = new Thread(() -> serve(status, bodyBytes, pauseMillis), "trickling-server");
    thread.setDaemon(true);
    thread.start();
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/in");
  }

  private void serve(int status, long bodyBytes, long pauseMillis) {
    try (Socket client = socket.accept()) {
      InputStream in = client.getInputStream();
      readRequest(in);
      OutputStream out = client.getOutputStream();
      out.write(("HTTP/1.1 " + status + " Hostile\r\nContent-Type: text/plain\r\nContent-Length: " + bodyBytes
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      byte[] chunk = new byte[pauseMillis > 0 ? 1 : 64 * 1024];
      java.util.Arrays.fill(chunk, (byte) 'x');
      while (written.get() < bodyBytes && !Thread.currentThread().isInterrupted()) {
        int n = (int) Math.min(chunk.length, bodyBytes - written.get());
        out.write(chunk, 0, n);
        out.flush();
        written.addAndGet(n);
        if (pauseMillis > 0) {
          Thread.sleep(pauseMillis); // the hostile part: trickle
        }
      }
    } catch (IOException | InterruptedException e) {
      // the client hung up: what this server is for
    } finally {
      done.countDown();
    }
  }

  /** Reads the request head and its Content-Length body. */
  private static void readRequest(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      head.append((char) c);
      if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
        break;
      }
    }
    for (String line : head.toString().split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        in.readNBytes(Integer.parseInt(line.substring(15).trim()));
      }
    }
  }

  /** Waits (generously) until the server stopped writing. */
  void awaitDone() throws InterruptedException {
    if (!done.await(20, TimeUnit.SECONDS)) {
      throw new AssertionError("the server is still writing after 20 s");
    }
  }

  long written() {
    return written.get();
  }

  @Override
  public void close() throws IOException {
    thread.interrupt();
    socket.close();
  }
}
