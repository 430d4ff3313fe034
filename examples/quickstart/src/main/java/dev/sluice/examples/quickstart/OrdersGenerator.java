package dev.sluice.examples.quickstart;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Random;

/**
 * Writes {@code orders.jsonl}: a few thousand realistic web-shop orders, the same every time
 * (fixed seed), so the quickstart's output is reproducible.
 *
 * <p>Run {@code OrdersGenerator [file] [count]} to regenerate; a test checks the committed file is
 * what this writes.
 */
public final class OrdersGenerator {
  static final long SEED = 20261125L;
  static final int DEFAULT_COUNT = 3000;

  private static final String[] FIRST = {"Anna", "Ben", "Clara", "David", "Elif", "Finn", "Greta", "Hugo",
      "Ines", "Jonas", "Katarina", "Luca", "Mia", "Noah", "Olga", "Paul", "Quentin", "Rosa", "Sven", "Tara"};
  private static final String[] LAST = {"Müller", "Schmidt", "Novak", "Rossi", "Dubois", "García", "Jansen",
      "Kowalski", "Berg", "Lindqvist", "Horvat", "Silva", "Wagner", "Fischer", "Moreau"};
  private static final String[] COUNTRIES = {"DE", "DE", "DE", "AT", "CH", "FR", "NL", "PL", "IT", "ES"};
  private static final String[] CHANNELS = {"web", "web", "web", "mobile", "mobile", "marketplace"};
  private static final String[] STATUSES = {"paid", "paid", "paid", "paid", "shipped", "refunded", "pending"};
  private static final Object[][] PRODUCTS = {
      {"SKU-1001", "Espresso beans 1 kg", "18.90"}, {"SKU-1002", "Filter coffee 500 g", "9.50"},
      {"SKU-2001", "Grinder, burr", "149.00"}, {"SKU-2002", "Milk frother", "39.99"},
      {"SKU-3001", "Espresso machine, dual boiler", "1299.00"}, {"SKU-3002", "Espresso machine, entry", "349.00"},
      {"SKU-4001", "Cup set (6)", "29.90"}, {"SKU-4002", "Scale with timer", "54.00"},
      {"SKU-5001", "Descaler", "7.99"}, {"SKU-5002", "Barista course voucher", "189.00"}};

  private OrdersGenerator() {}

  public static void main(String[] args) throws IOException {
    Path file = Path.of(args.length > 0 ? args[0] : "orders.jsonl");
    int count = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_COUNT;
    write(file, count);
    System.out.println("wrote " + count + " orders to " + file.toAbsolutePath());
  }

  /** Writes {@code count} orders as JSON Lines. */
  public static void write(Path file, int count) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    Random random = new Random(SEED);
    Instant start = Instant.parse("2026-11-01T00:00:00Z");
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int i = 1; i <= count; i++) {
        out.write(mapper.writeValueAsString(order(i, random, start)));
        out.write('\n');
      }
    }
  }

  static ObjectNode order(int n, Random random, Instant start) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode o = f.objectNode();
    o.put("id", String.format("ord-%06d", n));
    o.put("createdAt", start.plus(Duration.ofSeconds(n * 797L + random.nextInt(600))).toString());
    int customer = 1 + random.nextInt(900);
    String first = FIRST[random.nextInt(FIRST.length)];
    String last = LAST[random.nextInt(LAST.length)];
    ObjectNode c = o.putObject("customer");
    c.put("id", String.format("cus-%04d", customer));
    c.put("name", first + " " + last);
    c.put("email", (first + "." + last).toLowerCase(Locale.ROOT)
        .replace("ü", "ue").replace("í", "i") + customer + "@example.com");
    c.put("country", COUNTRIES[random.nextInt(COUNTRIES.length)]);
    ArrayNode items = o.putArray("items");
    int lines = 1 + random.nextInt(3);
    BigDecimal total = BigDecimal.ZERO;
    for (int l = 0; l < lines; l++) {
      // The big-ticket machine is rare, so only a few percent of orders exceed 1000.
      int pick = random.nextInt(100) < 1 ? 4 : (4 + 1 + random.nextInt(PRODUCTS.length - 1)) % PRODUCTS.length;
      Object[] p = PRODUCTS[pick];
      boolean appliance = new BigDecimal((String) p[2]).compareTo(new BigDecimal("100")) > 0;
      int quantity = appliance ? 1 : 1 + random.nextInt(3);
      BigDecimal price = new BigDecimal((String) p[2]);
      ObjectNode item = items.addObject();
      item.put("sku", (String) p[0]);
      item.put("name", (String) p[1]);
      item.put("quantity", quantity);
      item.put("unitPrice", price);
      total = total.add(price.multiply(BigDecimal.valueOf(quantity)));
    }
    o.put("amount", total.setScale(2, RoundingMode.HALF_UP));
    o.put("currency", "EUR");
    o.put("status", STATUSES[random.nextInt(STATUSES.length)]);
    o.put("channel", CHANNELS[random.nextInt(CHANNELS.length)]);
    return o;
  }
}
