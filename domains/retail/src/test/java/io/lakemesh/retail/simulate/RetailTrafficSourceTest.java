package io.lakemesh.retail.simulate;

import com.fasterxml.jackson.databind.JsonNode;
import io.lakemesh.retail.simulate.RetailTrafficSource.InvalidReason;
import io.lakemesh.runtime.simulate.TrafficSource;
import io.lakemesh.runtime.simulate.TrafficSource.EventKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetailTrafficSourceTest {

    private static final Instant NOW = Instant.parse("2026-11-25T08:15:30.123Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private static List<String> events(RetailTrafficSource source, RandomGenerator random, EventKind kind, int n) {
        return IntStream.range(0, n).mapToObj(i -> source.nextEvent(random, kind)).toList();
    }

    @Test
    void validEventsKeepEveryRule() {
        RetailTrafficSource source = new RetailTrafficSource(CLOCK);
        for (String event : events(source, new SplittableRandom(1), EventKind.VALID, 5_000)) {
            assertEquals(List.of(), RetailEventRules.broken(event, NOW), event);
            assertFalse(event.contains("\n"), "one event per NDJSON line");
        }
    }

    @Test
    void validEventsLookLikeAPhilippineRetailChain() {
        List<JsonNode> sales = events(new RetailTrafficSource(CLOCK), new SplittableRandom(2), EventKind.VALID, 5_000)
                .stream().map(RetailEventRules::parse).toList();

        Map<String, Long> byRegion = count(sales, sale -> sale.get("region").textValue());
        assertEquals(RetailEventRules.REGIONS, byRegion.keySet(), "every region trades");
        List<String> busiest = byRegion.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(3).map(Map.Entry::getKey).toList();
        assertEquals(Set.of("NCR", "Region IV-A", "Region III"), Set.copyOf(busiest), byRegion.toString());

        Map<String, Set<String>> regionsOfStore = new HashMap<>();
        sales.forEach(sale -> regionsOfStore.computeIfAbsent(sale.get("store_id").textValue(), id -> new HashSet<>())
                .add(sale.get("region").textValue()));
        assertTrue(regionsOfStore.values().stream().allMatch(regions -> regions.size() == 1), "a store never moves");
        assertTrue(regionsOfStore.size() > 150, "most of the ~200 stores trade: " + regionsOfStore.size());

        Map<String, Long> byPayment = count(sales, sale -> sale.get("payment_method").textValue());
        assertEquals(RetailEventRules.PAYMENT_METHODS, byPayment.keySet());
        assertTrue(byPayment.get("cash") > byPayment.get("gcash"), byPayment.toString());
        for (String other : List.of("maya", "card", "credit")) {
            assertTrue(byPayment.get("gcash") > byPayment.get(other), byPayment.toString());
        }

        double withCustomer = sales.stream().filter(sale -> sale.has("customer_id")).count() / (double) sales.size();
        assertTrue(withCustomer > 0.55 && withCustomer < 0.65, "customer_id share " + withCustomer);

        List<JsonNode> lines = sales.stream().flatMap(sale -> toList(sale.get("items")).stream()).toList();
        assertEquals(Set.of(1, 2, 3, 4, 5, 6, 7, 8),
                sales.stream().map(sale -> sale.get("items").size()).collect(Collectors.toSet()), "basket sizes");
        assertEquals(Set.of(1, 2, 3, 4, 5), lines.stream().map(line -> line.get("qty").intValue())
                .collect(Collectors.toSet()), "quantities");
        assertEquals(RetailEventRules.CATEGORIES, lines.stream().map(line -> line.get("category").textValue())
                .collect(Collectors.toSet()));
        assertTrue(lines.stream().map(line -> line.get("product_id").textValue()).distinct().count() >= 80,
                "the whole catalogue sells");
        assertTrue(sales.stream().allMatch(sale -> toList(sale.get("items")).stream()
                        .map(line -> line.get("product_id")).distinct().count() == sale.get("items").size()),
                "a product appears once per basket");

        long late = 0;
        for (JsonNode sale : sales) {
            Duration age = Duration.between(Instant.parse(sale.get("ts").textValue()), NOW);
            if (age.compareTo(Duration.ofDays(1)) >= 0) {
                assertTrue(age.compareTo(Duration.ofDays(3)) <= 0, "late by at most 3 days: " + age);
                late++;
            } else {
                assertTrue(!age.isNegative() && age.compareTo(Duration.ofSeconds(10)) <= 0, "fresh lag " + age);
            }
        }
        assertTrue(late > 50 && late < 150, "about 2% late: " + late);
    }

    @Test
    void storesAreLaidOutOnceOverAllRegions() {
        List<Stores.Store> stores = Stores.layout().all();
        assertEquals(200, stores.size());
        assertEquals(200, stores.stream().map(Stores.Store::id).distinct().count());
        assertEquals(stores, Stores.layout().all(), "same layout every time");
        Map<String, Long> perRegion = stores.stream()
                .collect(Collectors.groupingBy(Stores.Store::region, TreeMap::new, Collectors.counting()));
        assertEquals(RetailEventRules.REGIONS, perRegion.keySet());
        assertEquals(44, perRegion.get("NCR"));
        assertTrue(perRegion.get("Region IV-A") > perRegion.get("Region VII"));
        assertTrue(perRegion.get("Region III") > perRegion.get("Region VII"));
    }

    @ParameterizedTest
    @EnumSource(InvalidReason.class)
    void eachInvalidReasonBreaksItsRule(InvalidReason reason) {
        String rule = switch (reason) {
            case LINE_SUM_NOT_TOTAL -> "sum of line_amount = total_amount";
            case LINE_AMOUNT_NOT_QTY_TIMES_PRICE -> "line_amount = qty × unit_price";
            case NEGATIVE_AMOUNT -> "negative amount";
            case UNKNOWN_REGION -> "region";
            case BAD_STORE_ID -> "store_id";
            case EMPTY_ITEMS -> "items";
            case ZERO_QTY -> "qty";
            case MISSING_TRANSACTION_ID -> "transaction_id";
            case TS_IN_FUTURE -> "ts";
            case UNKNOWN_PAYMENT_METHOD -> "payment_method";
            case TOTAL_AMOUNT_AS_STRING -> "total_amount";
        };
        RetailTrafficSource source = new RetailTrafficSource(CLOCK);
        RandomGenerator random = new SplittableRandom(reason.ordinal());
        for (int i = 0; i < 200; i++) {
            String event = source.invalid(random, reason);
            assertEquals(List.of(rule), RetailEventRules.broken(event, NOW), event);
        }
    }

    @Test
    void invalidEventsBreakAtLeastOneRuleAndVary() {
        RetailTrafficSource source = new RetailTrafficSource(CLOCK);
        Set<String> rulesBroken = new HashSet<>();
        for (String event : events(source, new SplittableRandom(3), EventKind.INVALID, 2_000)) {
            List<String> broken = RetailEventRules.broken(event, NOW);
            assertFalse(broken.isEmpty(), event);
            rulesBroken.addAll(broken);
        }
        assertEquals(InvalidReason.values().length, rulesBroken.size(), rulesBroken.toString());
    }

    @Test
    void duplicatesAreByteIdenticalToAnEarlierValidEvent() {
        RetailTrafficSource source = new RetailTrafficSource(CLOCK);
        RandomGenerator random = new SplittableRandom(4);
        String first = source.nextEvent(random, EventKind.DUPLICATE);
        assertEquals(List.of(), RetailEventRules.broken(first, NOW), "nothing to repeat yet: a fresh valid event");

        Set<String> validSoFar = new HashSet<>(Set.of(first));
        List<String> duplicates = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            EventKind kind = i % 5 == 0 ? EventKind.DUPLICATE : i % 7 == 0 ? EventKind.INVALID : EventKind.VALID;
            String event = source.nextEvent(random, kind);
            if (kind == EventKind.DUPLICATE) {
                assertTrue(validSoFar.contains(event), "a duplicate repeats an earlier valid event: " + event);
                duplicates.add(event);
            } else if (kind == EventKind.VALID) {
                assertFalse(validSoFar.contains(event), "valid events are new");
                validSoFar.add(event);
            }
        }
        assertTrue(duplicates.stream().distinct().count() > duplicates.size() / 2, "duplicates repeat many events");
    }

    @Test
    void aSeedRepeatsTheEvents() {
        List<String> once = mixed(new RetailTrafficSource(CLOCK), new SplittableRandom(5));
        List<String> again = mixed(new RetailTrafficSource(CLOCK), new SplittableRandom(5));
        assertEquals(once, again);
    }

    @Test
    void theServiceLoaderFindsIt() {
        List<TrafficSource> sources = ServiceLoader.load(TrafficSource.class).stream()
                .map(ServiceLoader.Provider::get).toList();
        assertTrue(sources.stream().anyMatch(source -> source instanceof RetailTrafficSource
                && source.productId().equals("retail.transactions")), sources.toString());
    }

    private static List<String> mixed(RetailTrafficSource source, RandomGenerator random) {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            events.add(source.nextEvent(random, EventKind.values()[i % EventKind.values().length]));
        }
        return events;
    }

    private static Map<String, Long> count(List<JsonNode> sales, Function<JsonNode, String> key) {
        return sales.stream().collect(Collectors.groupingBy(key, Collectors.counting()));
    }

    private static List<JsonNode> toList(JsonNode array) {
        List<JsonNode> nodes = new ArrayList<>();
        array.forEach(nodes::add);
        return nodes;
    }
}
