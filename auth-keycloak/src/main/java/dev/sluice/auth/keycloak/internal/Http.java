package dev.sluice.auth.keycloak.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.StringJoiner;

/**
 * JSON over the JDK HttpClient with a response size limit. Messages name the method, URL and
 * status, never request bodies (they hold codes, tokens and secrets). Thread-safe.
 */
public final class Http {
  private final HttpClient client;
  private final ObjectMapper mapper;
  private final Duration timeout;
  private final int maxResponseBytes;

  public Http(HttpClient client, ObjectMapper mapper, Duration timeout, int maxResponseBytes) {
    this.client = client;
    this.mapper = mapper;
    this.timeout = timeout;
    this.maxResponseBytes = maxResponseBytes;
  }

  /** GET a JSON document; 2xx only. */
  public JsonNode getJson(URI uri) throws IOException {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET().build();
    Response r = send(request);
    if (r.status / 100 != 2) {
      throw new IOException("GET " + uri + " answered HTTP " + r.status);
    }
    return parse("GET", uri, r.body);
  }

  /**
   * POST a form and parse the JSON answer, whatever the status (OAuth errors come as 400 with a
   * JSON body). {@code basicUser}/{@code basicPassword} may be null.
   */
  public Response postForm(URI uri, Map<String, String> form, String basicUser, String basicPassword) throws IOException {
    StringJoiner body = new StringJoiner("&");
    form.forEach((k, v) -> body.add(enc(k) + "=" + enc(v)));
    HttpRequest.Builder b = HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .header("Accept", "application/json")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    if (basicUser != null) {
      // RFC 6749 section 2.3.1: form-urlencode id and secret before Base64.
      String pair = enc(basicUser) + ":" + enc(basicPassword == null ? "" : basicPassword);
      b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }
    return send(b.build());
  }

  /** Parses a response body as JSON; the message names the request, not the body. */
  public JsonNode parse(String method, URI uri, byte[] body) throws IOException {
    try {
      return mapper.readTree(body);
    } catch (IOException e) {
      throw new IOException(method + " " + uri + " did not answer with JSON");
    }
  }

  private Response send(HttpRequest request) throws IOException {
    HttpResponse<InputStream> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(request.method() + " " + request.uri() + " interrupted");
    } catch (IOException e) {
      throw new IOException(request.method() + " " + request.uri() + " failed: " + e.getClass().getSimpleName(), e);
    }
    try (InputStream in = response.body()) {
      byte[] bytes = in.readNBytes(maxResponseBytes + 1);
      if (bytes.length > maxResponseBytes) {
        throw new IOException(request.method() + " " + request.uri() + " answered more than " + maxResponseBytes
            + " bytes");
      }
      return new Response(response.statusCode(), bytes);
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** A status and the raw body. */
  public static final class Response {
    public final int status;
    public final byte[] body;

    Response(int status, byte[] body) {
      this.status = status;
      this.body = body;
    }
  }
}
