package io.lakemesh.retail.simulate;

import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.lakemesh.retail.simulate.Catalogue.Product;
import io.lakemesh.retail.simulate.Stores.Store;
import io.lakemesh.runtime.simulate.RecentEvents;
import io.lakemesh.runtime.simulate.TrafficSource;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Point-of-sale transactions of a Philippine retail chain for {@code retail.transactions}: about 200 stores over
 * the 18 regions, 83 local products in 10 categories, small baskets, cash and e-wallets.
 *
 * <p>Valid events satisfy the product's rules: a store id {@code S-dddd} with its fixed region, a UTC timestamp
 * at most 5 minutes ahead, a known payment method, 1 to 8 lines with {@code line_amount = qty × unit_price}
 * summing to {@code total_amount}, all amounts exact 2-decimal numbers. Most events are a few seconds old; 2%
 * arrive 1 to 3 days late, as tills that were offline catch up.
 */
public final class RetailTrafficSource implements TrafficSource {

    private static final String PRODUCT_ID = "retail.transactions";

    /** Why an invalid event is invalid; one rule broken per event, so quarantine reasons can be checked. */
    enum InvalidReason {
        LINE_SUM_NOT_TOTAL,
        LINE_AMOUNT_NOT_QTY_TIMES_PRICE,
        NEGATIVE_AMOUNT,
        UNKNOWN_REGION,
        BAD_STORE_ID,
        EMPTY_ITEMS,
        ZERO_QTY,
        MISSING_TRANSACTION_ID,
        TS_IN_FUTURE,
        UNKNOWN_PAYMENT_METHOD,
        TOTAL_AMOUNT_AS_STRING
    }

    private static final double LATE_SHARE = 0.02;
    private static final double CUSTOMER_SHARE = 0.60;
    private static final int CUSTOMERS = 50_000;
    /** How far back a duplicate reaches: a producer re-sends what it sent moments ago. */
    private static final int RECENT_VALID = 500;

    private static final WeightedChoice<String> PAYMENT_METHODS = WeightedChoice.<String>builder()
            .add("cash", 55).add("gcash", 25).add("maya", 9).add("card", 8).add("credit", 3).build();
    // sari-sari and grocery baskets are small: mostly one to three lines
    private static final WeightedChoice<Integer> BASKET_LINES = WeightedChoice.<Integer>builder()
            .add(1, 30).add(2, 22).add(3, 16).add(4, 11).add(5, 8).add(6, 6).add(7, 4).add(8, 3).build();
    private static final WeightedChoice<Integer> QUANTITIES = WeightedChoice.<Integer>builder()
            .add(1, 50).add(2, 25).add(3, 12).add(4, 8).add(5, 5).build();
    private static final List<String> NOT_REGIONS =
            List.of("Region XIV", "Metro Manila", "CALABARZON", "ncr", "Region IV-C", "Luzon");
    private static final List<String> NOT_PAYMENT_METHODS =
            List.of("bitcoin", "paypal", "GCash", "cheque", "voucher", "utang");
    private static final DateTimeFormatter TS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TS_IN_ID =
            DateTimeFormatter.ofPattern("uuuuMMddHHmmssSSS").withZone(ZoneOffset.UTC);

    private final Clock clock;
    private final Stores stores = Stores.layout();
    private final WeightedChoice<Product> products = popularity();
    // BigDecimal as written (scale 2 → "30.50"), never in exponent notation
    private final ObjectMapper json = JsonMapper.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();
    private final RecentEvents recentValid = new RecentEvents(RECENT_VALID);

    /** For {@link java.util.ServiceLoader}: timestamps from the system clock. */
    public RetailTrafficSource() {
        this(Clock.systemUTC());
    }

    RetailTrafficSource(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String productId() {
        return PRODUCT_ID;
    }

    @Override
    public String nextEvent(RandomGenerator random, EventKind kind) {
        return switch (kind) {
            case VALID -> valid(random);
            case DUPLICATE -> {
                String earlier = recentValid.pick(random);
                yield earlier != null ? earlier : valid(random);
            }
            case INVALID -> invalid(random, InvalidReason.values()[random.nextInt(InvalidReason.values().length)]);
        };
    }

    /** An event that breaks exactly the given rule. */
    String invalid(RandomGenerator random, InvalidReason reason) {
        Map<String, Object> event = sale(random);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> items = (List<Map<String, Object>>) event.get("items");
        Map<String, Object> line = items.get(random.nextInt(items.size()));
        switch (reason) {
            case LINE_SUM_NOT_TOTAL -> event.put("total_amount", amount(event, "total_amount").add(offBy(random)));
            case LINE_AMOUNT_NOT_QTY_TIMES_PRICE -> {
                line.put("line_amount", amount(line, "line_amount").add(offBy(random)));
                event.put("total_amount", lineSum(items));
            }
            case NEGATIVE_AMOUNT -> {
                line.put("unit_price", amount(line, "unit_price").negate());
                line.put("line_amount", amount(line, "line_amount").negate());
                event.put("total_amount", lineSum(items));
            }
            case UNKNOWN_REGION -> event.put("region", NOT_REGIONS.get(random.nextInt(NOT_REGIONS.size())));
            case BAD_STORE_ID -> event.put("store_id", badStoreId((String) event.get("store_id"), random));
            case EMPTY_ITEMS -> {
                items.clear();
                event.put("total_amount", new BigDecimal("0.00"));
            }
            case ZERO_QTY -> {
                line.put("qty", 0);
                line.put("line_amount", new BigDecimal("0.00"));
                event.put("total_amount", lineSum(items));
            }
            case MISSING_TRANSACTION_ID -> event.remove("transaction_id");
            case TS_IN_FUTURE -> event.put("ts", TS.format(clock.instant().plus(Duration.ofHours(1))));
            case UNKNOWN_PAYMENT_METHOD ->
                    event.put("payment_method", NOT_PAYMENT_METHODS.get(random.nextInt(NOT_PAYMENT_METHODS.size())));
            case TOTAL_AMOUNT_AS_STRING -> event.put("total_amount", amount(event, "total_amount").toPlainString());
        }
        return write(event);
    }

    private String valid(RandomGenerator random) {
        String event = write(sale(random));
        recentValid.remember(event);
        return event;
    }

    /** A valid sale as ordered JSON fields; mutable, so an invalid event can break one rule of it. */
    private Map<String, Object> sale(RandomGenerator random) {
        Store store = stores.pick(random);
        Instant ts = timestamp(random);
        List<Map<String, Object>> items = new ArrayList<>();
        Set<Product> chosen = new HashSet<>();
        int lines = BASKET_LINES.pick(random);
        while (chosen.size() < lines) {
            Product product = products.pick(random);
            if (chosen.add(product)) {
                int qty = QUANTITIES.pick(random);
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("product_id", product.id());
                line.put("product_name", product.name());
                line.put("brand", product.brand());
                line.put("category", product.category());
                line.put("qty", qty);
                line.put("unit_price", product.unitPrice());
                line.put("line_amount", product.unitPrice().multiply(BigDecimal.valueOf(qty)));
                items.add(line);
            }
        }
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("transaction_id", String.format("T-%s-%s-%06X",
                store.id().substring(2), TS_IN_ID.format(ts), random.nextInt(1 << 24)));
        event.put("store_id", store.id());
        event.put("region", store.region());
        event.put("ts", TS.format(ts));
        event.put("payment_method", PAYMENT_METHODS.pick(random));
        if (random.nextDouble() < CUSTOMER_SHARE) {
            event.put("customer_id", String.format("C-%06d", random.nextInt(1, CUSTOMERS + 1)));
        }
        event.put("total_amount", lineSum(items));
        event.put("items", items);
        return event;
    }

    private Instant timestamp(RandomGenerator random) {
        Instant now = clock.instant();
        Instant ts = random.nextDouble() < LATE_SHARE
                ? now.minus(Duration.ofDays(1)).minusMillis(random.nextLong(Duration.ofDays(2).toMillis()))
                : now.minusMillis(random.nextLong(10_001));
        return ts.truncatedTo(ChronoUnit.MILLIS);
    }

    private static String badStoreId(String storeId, RandomGenerator random) {
        String digits = storeId.substring(2);
        return switch (random.nextInt(5)) {
            case 0 -> "S-" + digits.substring(1);        // three digits
            case 1 -> "S" + digits;                      // no dash
            case 2 -> "s-" + digits;                     // lower case
            case 3 -> "S-0" + digits;                    // five digits
            default -> "STORE-" + digits;
        };
    }

    /** 0.05 to 5.00: wrong enough that a check allowing a centavo of rounding still catches it. */
    private static BigDecimal offBy(RandomGenerator random) {
        return BigDecimal.valueOf(random.nextInt(5, 501), 2);
    }

    private static BigDecimal lineSum(List<Map<String, Object>> items) {
        return items.stream()
                .map(line -> amount(line, "line_amount"))
                .reduce(new BigDecimal("0.00"), BigDecimal::add);
    }

    private static BigDecimal amount(Map<String, Object> fields, String name) {
        return (BigDecimal) fields.get(name);
    }

    private String write(Map<String, Object> event) {
        try {
            return json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            // maps of strings, numbers and lists always serialize; failing here is a bug, not bad input
            throw new IllegalStateException("cannot write a retail event as JSON", e);
        }
    }

    /** Everyday staples (noodles, drinks, snacks, condiments) leave the shelf more often than frozen goods. */
    private static WeightedChoice<Product> popularity() {
        WeightedChoice.Builder<Product> choice = WeightedChoice.builder();
        for (Product product : Catalogue.PRODUCTS) {
            int weight = switch (product.category()) {
                case "noodles", "beverages", "snacks", "condiments" -> 4;
                case "canned goods", "personal care", "household" -> 3;
                case "dairy", "rice & grains" -> 2;
                default -> 1;
            };
            choice.add(product, weight);
        }
        return choice.build();
    }
}
