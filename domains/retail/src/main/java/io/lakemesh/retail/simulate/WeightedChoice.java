package io.lakemesh.retail.simulate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/** Picks items in proportion to fixed integer weights, in O(log n) per pick. */
final class WeightedChoice<T> {

    private final List<T> items;
    private final long[] cumulative;

    private WeightedChoice(List<T> items, long[] cumulative) {
        this.items = items;
        this.cumulative = cumulative;
    }

    static <T> Builder<T> builder() {
        return new Builder<>();
    }

    T pick(RandomGenerator random) {
        long draw = random.nextLong(cumulative[cumulative.length - 1]);
        int index = Arrays.binarySearch(cumulative, draw + 1);
        // binarySearch answers -(insertion point) - 1 when draw + 1 falls between two sums
        return items.get(index >= 0 ? index : -index - 1);
    }

    static final class Builder<T> {
        private final List<T> items = new ArrayList<>();
        private final List<Long> weights = new ArrayList<>();

        Builder<T> add(T item, long weight) {
            if (weight <= 0) {
                throw new IllegalArgumentException("weight of " + item + " must be positive, not " + weight);
            }
            items.add(item);
            weights.add(weight);
            return this;
        }

        WeightedChoice<T> build() {
            if (items.isEmpty()) {
                throw new IllegalStateException("nothing to choose from");
            }
            long[] cumulative = new long[weights.size()];
            long sum = 0;
            for (int i = 0; i < cumulative.length; i++) {
                sum += weights.get(i);
                cumulative[i] = sum;
            }
            return new WeightedChoice<>(List.copyOf(items), cumulative);
        }
    }
}
