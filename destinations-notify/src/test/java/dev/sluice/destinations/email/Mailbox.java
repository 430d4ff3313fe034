package dev.sluice.destinations.email;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A real SMTP server (GreenMail, in-process) on a fixed free loopback port, which can be stopped and
 * started again on the same port; what it received is kept across restarts.
 */
final class Mailbox implements AutoCloseable {
  final int port;
  private final String protocol;
  private final String[] user;
  private final List<MimeMessage> earlier = new ArrayList<>();
  private GreenMail server;

  /**
   * @param protocol {@code smtp} or {@code smtps}
   * @param user email, login and password of a user that must authenticate, or null
   */
  Mailbox(String protocol, String... user) throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      this.port = s.getLocalPort();
    }
    this.protocol = protocol;
    this.user = user;
    start();
  }

  void start() {
    ServerSetup setup = new ServerSetup(port, "127.0.0.1", protocol);
    setup.setServerStartupTimeout(60_000); // a bound on a busy machine, not a timed assertion
    server = new GreenMail(setup);
    if (user.length == 3) {
      server.setUser(user[0], user[1], user[2]);
    }
    server.start();
  }

  /** Stops the server until the handle is closed. */
  AutoCloseable outage() {
    earlier.addAll(List.of(server.getReceivedMessages()));
    server.stop();
    return this::start;
  }

  /** Every message received, one per recipient, in arrival order. */
  List<MimeMessage> received() {
    List<MimeMessage> all = new ArrayList<>(earlier);
    all.addAll(List.of(server.getReceivedMessages()));
    return all;
  }

  GreenMail server() {
    return server;
  }

  /** The decoded text of the first part of {@code part} with this MIME type, or null. */
  static String partText(Part part, String mimeType) throws Exception {
    if (part.isMimeType(mimeType) && !Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition())) {
      Object c = part.getContent();
      return c instanceof String s ? s : new String(((InputStream) c).readAllBytes(), StandardCharsets.UTF_8);
    }
    if (part.isMimeType("multipart/*")) {
      Multipart mp = (Multipart) part.getContent();
      for (int i = 0; i < mp.getCount(); i++) {
        String found = partText(mp.getBodyPart(i), mimeType);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  /** The attachment named {@code name}, or null. */
  static BodyPart attachment(Part part, String name) throws Exception {
    if (part.isMimeType("multipart/*")) {
      Multipart mp = (Multipart) part.getContent();
      for (int i = 0; i < mp.getCount(); i++) {
        BodyPart b = mp.getBodyPart(i);
        if (name.equals(b.getFileName())) {
          return b;
        }
      }
    }
    return null;
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop();
    }
  }
}
