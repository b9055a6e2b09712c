package io.lakemesh.runtime.cli;

import io.lakemesh.runtime.simulate.TrafficSource;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/** Numbered events that remember what was generated, so a test can compare it with what the node received. */
final class SequenceTrafficSource implements TrafficSource {

    private final String productId;
    private final List<String> generated = new ArrayList<>();
    private final List<String> valid = new ArrayList<>();
    private int sequence;

    SequenceTrafficSource(String productId) {
        this.productId = productId;
    }

    @Override
    public String productId() {
        return productId;
    }

    @Override
    public String nextEvent(RandomGenerator random, EventKind kind) {
        String event;
        if (kind == EventKind.DUPLICATE && !valid.isEmpty()) {
            event = valid.get(random.nextInt(valid.size()));
        } else if (kind == EventKind.INVALID) {
            event = "{\"product\":\"" + productId + "\",\"seq\":" + sequence++ + ",\"qty\":0}";
        } else {
            event = "{\"product\":\"" + productId + "\",\"seq\":" + sequence++ + ",\"qty\":1}";
            valid.add(event);
        }
        generated.add(event);
        return event;
    }

    List<String> generated() {
        return generated;
    }
}
