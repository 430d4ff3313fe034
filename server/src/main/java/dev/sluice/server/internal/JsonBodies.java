package dev.sluice.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Reads request bodies strictly (unknown fields, trailing tokens, duplicate keys and wrong types are
 * errors that name the JSON pointer) and writes responses.
 */
public final class JsonBodies {
  public static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
      .build();

  private JsonBodies() {}

  /** Whether the request carries a body at all. */
  public static boolean hasBody(Context ctx) {
    String length = ctx.header("Content-Length");
    if (length != null) {
      return !length.trim().equals("0");
    }
    return ctx.header("Transfer-Encoding") != null;
  }

  /**
   * The body as {@code type}.
   *
   * @throws ApiProblem 415 when it is not JSON, 400 naming what is wrong and where
   */
  public static <T> T read(Context ctx, Class<T> type) {
    requireJson(ctx);
    byte[] bytes = ctx.bodyAsBytes();
    if (bytes.length == 0) {
      throw ApiProblem.invalidBody("the request has no body; send a JSON object");
    }
    try {
      T value = MAPPER.readValue(bytes, type);
      if (value == null) {
        throw ApiProblem.invalidBody("the body is null; send a JSON object");
      }
      return value;
    } catch (UnrecognizedPropertyException e) {
      String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
          .map(Object::toString).sorted().collect(Collectors.joining(", "));
      String pointer = pointer(e);
      throw new ApiProblem(400, "unknown-field", "Unknown field in the request body",
          "unknown field '" + e.getPropertyName() + "' at " + (pointer.isEmpty() ? "/" : pointer)
              + (known.isEmpty() ? "" : "; expected one of: " + known), null, java.util.Map.of());
    } catch (InvalidFormatException e) {
      throw ApiProblem.invalidBody(where(e) + ": expected " + simple(e.getTargetType()) + ", got " + e.getValue());
    } catch (MismatchedInputException e) {
      throw ApiProblem.invalidBody(where(e) + ": expected "
          + (e.getTargetType() == null ? "another type" : simple(e.getTargetType())));
    } catch (JsonMappingException e) {
      throw ApiProblem.invalidBody(where(e) + ": " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw ApiProblem.invalidBody("not valid JSON at line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiProblem.badRequest("the body could not be read: " + e.getMessage());
    }
  }

  /** Refuses a body that is not declared as JSON (415). */
  public static void requireJson(Context ctx) {
    String type = ctx.contentType();
    String base = type == null ? "" : type.split(";")[0].trim().toLowerCase(Locale.ROOT);
    if (!base.equals("application/json") && !base.endsWith("+json")) {
      throw new ApiProblem(415, "unsupported-media-type", "Unsupported media type",
          "send the body as application/json, not " + (type == null ? "without a Content-Type" : "'" + type + "'"));
    }
  }

  private static String where(JsonMappingException e) {
    String p = pointer(e);
    return p.isEmpty() ? "the body" : p;
  }

  private static String pointer(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      sb.append('/');
      if (r.getFieldName() != null) {
        sb.append(r.getFieldName().replace("~", "~0").replace("/", "~1"));
      } else {
        sb.append(r.getIndex());
      }
    }
    return sb.toString();
  }

  private static String simple(Class<?> type) {
    if (type == null) {
      return "another type";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
      return "a number";
    }
    if (java.util.List.class.isAssignableFrom(type) || type.isArray()) {
      return "an array";
    }
    return "an object";
  }
}
