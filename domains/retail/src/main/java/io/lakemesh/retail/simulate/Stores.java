package io.lakemesh.retail.simulate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The retail chain's stores: 200 of them spread over the 18 regions, denser where people live, each with a
 * fixed region and a fixed busyness. The layout comes from its own constant seed, not from the event
 * generator's, so store S-0042 is in the same region in every run and in every seed.
 */
final class Stores {

    record Store(String id, String region, int busyness) {}

    private static final long LAYOUT_SEED = 20261125L;
    private static final int STORE_COUNT = 200;

    /** Percent of stores per region, roughly following population, in the official order of the regions. */
    private static final Map<String, Integer> REGION_SHARE = regionShare();

    private final List<Store> stores;
    private final WeightedChoice<Store> byBusyness;

    private Stores(List<Store> stores) {
        this.stores = List.copyOf(stores);
        WeightedChoice.Builder<Store> choice = WeightedChoice.builder();
        stores.forEach(store -> choice.add(store, store.busyness()));
        this.byBusyness = choice.build();
    }

    static Stores layout() {
        SplittableRandom layout = new SplittableRandom(LAYOUT_SEED);
        Set<Integer> numbers = new LinkedHashSet<>();
        while (numbers.size() < STORE_COUNT) {
            numbers.add(layout.nextInt(1, 10_000));
        }
        var nextNumber = numbers.iterator();
        List<Store> stores = new ArrayList<>(STORE_COUNT);
        REGION_SHARE.forEach((region, percent) -> {
            for (int i = 0; i < STORE_COUNT * percent / 100; i++) {
                // a few busy supermarkets, many small neighbourhood shops
                int busyness = 1 + (int) Math.floor(Math.pow(layout.nextDouble(), 2) * 8);
                stores.add(new Store(String.format("S-%04d", nextNumber.next()), region, busyness));
            }
        });
        return new Stores(stores);
    }

    /** A store in proportion to how busy it is. */
    Store pick(RandomGenerator random) {
        return byBusyness.pick(random);
    }

    List<Store> all() {
        return stores;
    }

    private static Map<String, Integer> regionShare() {
        Map<String, Integer> share = new LinkedHashMap<>();
        share.put("NCR", 22);
        share.put("CAR", 2);
        share.put("Region I", 4);
        share.put("Region II", 3);
        share.put("Region III", 12);
        share.put("Region IV-A", 15);
        share.put("MIMAROPA", 2);
        share.put("Region V", 4);
        share.put("Region VI", 5);
        share.put("Region VII", 7);
        share.put("Region VIII", 3);
        share.put("Region IX", 3);
        share.put("Region X", 4);
        share.put("Region XI", 5);
        share.put("Region XII", 3);
        share.put("Region XIII", 2);
        share.put("BARMM", 2);
        share.put("NIR", 2);
        return share;
    }
}
