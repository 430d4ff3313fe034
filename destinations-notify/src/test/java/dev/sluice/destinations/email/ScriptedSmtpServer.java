package dev.sluice.destinations.email;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * An SMTP server (RFC 5321) that answers RCPT and DATA with the replies a test scripts, for what
 * GreenMail does not do: per-recipient 4xx/5xx replies, counting connections, and STARTTLS (with
 * GreenMail's self-signed test certificate). Each connection runs on its own daemon thread.
 */
final class ScriptedSmtpServer implements AutoCloseable {
  /** A message the server accepted: envelope recipients, the data, whether TLS was on. */
  record Delivery(List<String> recipients, String data, boolean tls) {}

  private final ServerSocket socket;
  private final boolean offerStartTls;
  private final SSLContext ssl;
  final Map<String, String> rcptReplies = new ConcurrentHashMap<>();
  volatile String dataReply = "250 2.0.0 OK queued";
  final AtomicInteger connections = new AtomicInteger();
  final List<Delivery> deliveries = Collections.synchronizedList(new ArrayList<>());
  final List<String> commands = Collections.synchronizedList(new ArrayList<>());

  ScriptedSmtpServer(boolean offerStartTls) throws Exception {
    this.offerStartTls = offerStartTls;
    this.ssl = offerStartTls ? sslContext() : null;
    socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::acceptLoop, "scripted-smtp");
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return socket.getLocalPort();
  }

  private static SSLContext sslContext() throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = ScriptedSmtpServer.class.getClassLoader().getResourceAsStream("greenmail.p12")) {
      ks.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    SSLContext c = SSLContext.getInstance("TLS");
    c.init(kmf.getKeyManagers(), null, null);
    return c;
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      try {
        Socket s = socket.accept();
        connections.incrementAndGet();
        Thread t = new Thread(() -> serve(s), "scripted-smtp-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket raw) {
    Socket s = raw;
    boolean tls = false;
    try {
      BufferedReader in = reader(s);
      PrintWriter out = writer(s);
      reply(out, "220 scripted.example ESMTP");
      List<String> rcpts = new ArrayList<>();
      String line;
      while ((line = in.readLine()) != null) {
        commands.add(line);
        String upper = line.toUpperCase();
        if (upper.startsWith("EHLO") || upper.startsWith("HELO")) {
          if (offerStartTls && !tls) {
            reply(out, "250-scripted.example\r\n250-STARTTLS\r\n250 8BITMIME");
          } else {
            reply(out, "250-scripted.example\r\n250 8BITMIME");
          }
        } else if (upper.equals("STARTTLS") && offerStartTls && !tls) {
          reply(out, "220 2.0.0 Ready to start TLS");
          SSLSocket secure = (SSLSocket) ssl.getSocketFactory().createSocket(s, null, s.getPort(), true);
          secure.setUseClientMode(false);
          secure.startHandshake();
          s = secure;
          tls = true;
          in = reader(s);
          out = writer(s);
        } else if (upper.startsWith("MAIL FROM")) {
          rcpts.clear();
          reply(out, "250 2.1.0 OK");
        } else if (upper.startsWith("RCPT TO")) {
          String address = line.substring(line.indexOf('<') + 1, line.lastIndexOf('>'));
          String r = rcptReplies.getOrDefault(address, "250 2.1.5 OK");
          if (r.startsWith("250")) {
            rcpts.add(address);
          }
          reply(out, r);
        } else if (upper.equals("DATA")) {
          reply(out, "354 End data with <CR><LF>.<CR><LF>");
          StringBuilder data = new StringBuilder();
          String d;
          while ((d = in.readLine()) != null && !d.equals(".")) {
            data.append(d.startsWith("..") ? d.substring(1) : d).append("\r\n");
          }
          String r = dataReply;
          if (r.startsWith("250")) {
            deliveries.add(new Delivery(List.copyOf(rcpts), data.toString(), tls));
          }
          reply(out, r);
        } else if (upper.equals("RSET") || upper.equals("NOOP")) {
          rcpts.clear();
          reply(out, "250 2.0.0 OK");
        } else if (upper.equals("QUIT")) {
          reply(out, "221 2.0.0 Bye");
          break;
        } else {
          reply(out, "502 5.5.2 Command not recognized");
        }
      }
    } catch (IOException e) {
      // the client went away
    } finally {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }

  private static BufferedReader reader(Socket s) throws IOException {
    return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
  }

  private static PrintWriter writer(Socket s) throws IOException {
    OutputStream o = s.getOutputStream();
    return new PrintWriter(new java.io.OutputStreamWriter(o, StandardCharsets.UTF_8), false);
  }

  private static void reply(PrintWriter out, String text) {
    out.print(text + "\r\n");
    out.flush();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
