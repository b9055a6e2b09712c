package io.lakemesh.runtime.cli;

import io.lakemesh.runtime.simulate.TrafficSource;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.text.DecimalFormat;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code lakemesh simulate}: loads a mesh node's ingest API with synthetic traffic from the
 * {@link TrafficSource}s on the classpath, a mix of valid, invalid and duplicate events.
 *
 * <p>Exit codes: 0 done; 1 could not run (node unreachable, no traffic sources); 2 bad usage, or the node
 * rejected more than half of the batches. Stopped by Ctrl-C or SIGTERM, it prints its summary so far and the JVM
 * exits as signalled (130, 143).
 */
@Command(name = "simulate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Send synthetic events (valid, invalid and duplicate) to a mesh node's ingest API at a steady rate.",
                "Sends rate × duration events as NDJSON batches; waits and re-sends when the node answers 503."})
public final class SimulateCommand implements Callable<Integer> {

    private static final Pattern PRODUCT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    @Spec
    private CommandSpec spec;

    @Option(names = "--rate", defaultValue = "500", paramLabel = "EVENTS_PER_S",
            description = "Events per second (default: ${DEFAULT-VALUE}).")
    private int rate;

    @Option(names = "--duration", defaultValue = "60s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long to send at that rate: 500ms, 60s, 2m, 1h (default: ${DEFAULT-VALUE}).")
    private Duration duration;

    @Option(names = "--bad-ratio", defaultValue = "0.05", paramLabel = "RATIO",
            description = "Share of events the contract rejects (default: ${DEFAULT-VALUE}).")
    private double badRatio;

    @Option(names = "--dup-ratio", defaultValue = "0.02", paramLabel = "RATIO",
            description = "Share of events that re-send an earlier event verbatim (default: ${DEFAULT-VALUE}).")
    private double dupRatio;

    @Option(names = "--target", defaultValue = "${env:LAKEMESH_TARGET:-http://localhost:8080}", paramLabel = "URL",
            description = "Mesh node base URL; env LAKEMESH_TARGET (default: ${DEFAULT-VALUE}).")
    private String target;

    @Option(names = "--product", split = ",", paramLabel = "ID",
            description = "Source product(s) to send to, traffic split evenly (default: every product a domain"
                    + " module on the class path generates traffic for: the retail demo's retail.transactions). A"
                    + " product without such a module gets events made from the contract the node serves.")
    private List<String> products;

    @Option(names = "--batch", defaultValue = "100", paramLabel = "EVENTS",
            description = "Events per POST (default: ${DEFAULT-VALUE}, or the rate when it is lower: a POST a"
                    + " second).")
    private int batch;

    @Option(names = "--seed", paramLabel = "LONG",
            description = "Seed for the event generator, to repeat a run's choices (stores, baskets, mistakes);"
                    + " timestamps follow the clock, so ids that carry them differ: a re-run is new events, not"
                    + " re-sends (default: random, printed at the end).")
    private Long seed;

    @Option(names = "--token", defaultValue = "${env:LAKEMESH_TOKEN}", paramLabel = "JWT",
            showDefaultValue = CommandLine.Help.Visibility.NEVER,
            description = "Bearer token sent as the Authorization header; env LAKEMESH_TOKEN.")
    private String token;

    private final Supplier<List<TrafficSource>> sources;

    /** Finds traffic sources with {@link ServiceLoader}, when the command runs (not for {@code --help}). */
    public SimulateCommand() {
        this(() -> ServiceLoader.load(TrafficSource.class).stream().map(ServiceLoader.Provider::get).toList());
    }

    SimulateCommand(List<TrafficSource> sources) {
        this(() -> sources);
    }

    private SimulateCommand(Supplier<List<TrafficSource>> sources) {
        this.sources = sources;
    }

    public static void main(String[] args) {
        System.exit(newCommandLine(new SimulateCommand()).execute(args));
    }

    /** The command on its own, reporting a usage error in one line, as every Lakemesh CLI does. */
    static CommandLine newCommandLine(SimulateCommand command) {
        return new CommandLine(command).setParameterExceptionHandler((error, args) -> {
            CommandLine failed = error.getCommandLine();
            failed.getErr().println(failed.getCommandName() + ": " + error.getMessage() + " (see --help)");
            return failed.getCommandSpec().exitCodeOnInvalidInput();
        });
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        URI base = checkedOptions();
        List<TrafficSource> chosen = chosenSources(base);
        if (chosen.isEmpty()) {
            err.println("simulate: no traffic sources on the classpath; name a product with --product <id> to make"
                    + " its traffic from its contract, or add a domain module such as lakemesh-domain-retail");
            return 1;
        }
        long events = Math.round(rate * (duration.toNanos() / 1e9));
        if (events < 1) {
            throw new ParameterException(spec.commandLine(),
                    "--rate " + rate + " for --duration " + duration.toMillis() + "ms is less than one event");
        }
        long usedSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong();
        List<TrafficRun.Target> targets = chosen.stream()
                .map(source -> new TrafficRun.Target(source, endpoint(base, source.productId())))
                .toList();
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        TrafficRun run = new TrafficRun(
                new TrafficRun.Plan(targets, events, batch, rate, badRatio, dupRatio),
                new BatchPoster(client, Optional.ofNullable(token).filter(t -> !t.isBlank()), notice -> {
                    synchronized (err) {
                        err.print('\r'); // over the progress line, which the next update draws again below
                        err.println("simulate: " + notice);
                        err.flush();
                    }
                }));

        String products = chosen.stream().map(TrafficSource::productId).collect(Collectors.joining(","));
        // Ctrl-C or SIGTERM mid-run still says what was sent and what the node took (the summary a finished run
        // prints), so a user who stops a long run knows where it got to; printed once, by whoever comes first
        AtomicBoolean summarised = new AtomicBoolean();
        Thread onStop = new Thread(() -> {
            if (summarised.compareAndSet(false, true)) {
                err.println();
                err.flush();
                out.println(summary(run.countsSoFar(), products, base, usedSeed) + "; stopped before the end");
                out.flush();
            }
        }, "simulate-stopped");
        Runtime.getRuntime().addShutdownHook(onStop);
        TrafficRun.Counts counts;
        try (ProgressBar bar = progressBar(events, err)) {
            counts = run.run(new SplittableRandom(usedSeed), progress -> show(bar, progress));
        } finally {
            removeShutdownHook(onStop);
        }
        if (!summarised.compareAndSet(false, true)) {
            return 130; // stopping: the hook has said it all
        }

        if (counts.unreachable().isPresent()) {
            if (counts.answeredBatches() > 0) {
                out.println(summary(counts, products, base, usedSeed));
            }
            String why = counts.unreachable().get();
            if (why.startsWith("HTTP ")) {
                // the node answered, and would answer every batch so: a 404 or a refused token
                err.println("simulate: " + base + " answered " + why);
                return 2;
            }
            err.println("simulate: cannot reach " + base + ": " + why);
            return 1;
        }
        out.println(summary(counts, products, base, usedSeed));
        return counts.rejectedBatches() * 2 > counts.answeredBatches() ? 2 : 0;
    }

    private static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is stopping: the hook runs (or ran) and prints the summary
        }
    }

    private URI checkedOptions() {
        if (rate < 1) {
            throw usage("--rate must be at least 1 event per second, not " + rate);
        }
        if (batch < 1) {
            throw usage("--batch must be at least 1 event, not " + batch);
        }
        if (!spec.commandLine().getParseResult().hasMatchedOption("--batch")) {
            // a POST at most every second's events: below the default batch a run would send its whole duration's
            // events at once (--rate 10 --duration 8s: 80 events in 0.3 s) instead of a steady trickle
            batch = Math.min(batch, rate);
        }
        if (!(badRatio >= 0 && badRatio <= 1) || !(dupRatio >= 0 && dupRatio <= 1) || badRatio + dupRatio > 1) {
            throw usage("--bad-ratio and --dup-ratio must be between 0 and 1 and add up to at most 1, not "
                    + badRatio + " and " + dupRatio);
        }
        try {
            URI uri = new URI(target.endsWith("/") ? target.substring(0, target.length() - 1) : target);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw usage("--target must be an http(s) URL such as http://localhost:8080, not '" + target + "'");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw usage("--target '" + target + "' is not a URL: " + e.getReason());
        }
    }

    private List<TrafficSource> chosenSources(URI base) {
        List<TrafficSource> discovered = sources.get();
        if (products == null || products.isEmpty()) {
            return discovered;
        }
        Map<String, TrafficSource> byProduct = discovered.stream()
                .collect(Collectors.toMap(TrafficSource::productId, source -> source, (first, second) -> first));
        return products.stream().distinct().map(product -> {
            TrafficSource source = byProduct.get(product);
            if (source != null) {
                return source;
            }
            // no domain module makes this product's traffic: make it from the contract the node serves
            // the node's own refusal (a token, an unknown product) is said as it is, not as the contract's fault
            return ContractSources.fromNode(base, token, product, why -> usage(why.startsWith("the node at ") ? why
                    : "no domain module makes traffic for product '" + product + "', and none can be made from its"
                    + " contract: " + why));
        }).toList();
    }

    private URI endpoint(URI base, String productId) {
        if (!PRODUCT_ID.matcher(productId).matches()) {
            throw new IllegalStateException("traffic source returned an unusable product id '" + productId + "'");
        }
        return URI.create(base + "/api/v1/products/" + productId + "/events");
    }

    /** Room for the bar and every counter in a log line (a terminal's own width applies on a terminal). */
    private static final int LOG_LINE_LENGTH = 160;

    private static ProgressBar progressBar(long events, PrintWriter err) {
        return new ProgressBarBuilder()
                .setTaskName("answered")
                .setInitialMax(events)
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(" ev", 1)
                .showSpeed(new DecimalFormat("#,##0"))
                .setSpeedUnit(ChronoUnit.SECONDS)
                // an ETA means little when the node can push back for as long as it likes
                .hideEta()
                .setUpdateIntervalMillis(500)
                // redrawn while nothing is sent too: a node pushing back shows as the clock and retries moving, not
                // as a frozen line a user cannot tell from a hung client
                .continuousUpdate()
                // the live line gives way to the one-line summary (or error), which says it all
                .clearDisplayOnFinish()
                // the command's own stream, so a parent CLI (or a test) decides where the live line goes; a log has
                // no width to fit (the library assumes 80 columns and cut the counters off the end)
                .setConsumer(System.console() != null
                    ? new DelegatingProgressBarConsumer(progressLine(err, true))
                    : new DelegatingProgressBarConsumer(progressLine(err, false), LOG_LINE_LENGTH))
                .build();
    }

    /**
     * On a terminal, one line redrawn in place; otherwise (a log file, CI, a pipe) a new line every 10 s, so the log
     * shows progress without a carriage-return redraw twice a second.
     */
    static java.util.function.Consumer<String> progressLine(PrintWriter err, boolean terminal) {
        if (terminal) {
            return line -> {
                err.print('\r');
                err.print(line);
                err.flush();
            };
        }
        long[] last = {0};
        return line -> {
            long now = System.nanoTime();
            if (line.isBlank()) {
                return; // the bar clearing itself: nothing to clear in a log
            }
            if (last[0] == 0 || now - last[0] >= 10_000_000_000L) {
                last[0] = now;
                err.println(line.strip());
                err.flush();
            }
        };
    }

    /**
     * The bar moves with the events whose fate is known (accepted, rejected or given up on), not with those sent:
     * a node that takes nothing must not show as a run at 100%.
     */
    private static void show(ProgressBar bar, TrafficRun.Counts counts) {
        bar.stepTo(counts.acceptedEvents() + counts.rejectedEvents() + counts.unconfirmedEvents());
        // retries before the answers: on a narrow terminal the line is cut at its end, and under backpressure the
        // retries are the news
        bar.setExtraMessage(String.format(Locale.ROOT, " | sent %,d | retries %,d | accepted %,d | rejected %,d",
                counts.sentEvents(), counts.retries(), counts.acceptedEvents(), counts.rejectedEvents()));
    }

    private static String summary(TrafficRun.Counts counts, String products, URI base, long seed) {
        double seconds = Math.max(counts.elapsed().toMillis(), 1) / 1000.0;
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "simulate: sent %d events in %d batches to %s at %s in %.1fs (%.0f events/s): "
                        + "accepted %d, rejected %d, unconfirmed %d, retries %d; %d invalid, %d duplicate; seed %d",
                counts.sentEvents(), counts.sentBatches(), products, base, seconds,
                counts.sentEvents() / seconds, counts.acceptedEvents(), counts.rejectedEvents(),
                counts.unconfirmedEvents(), counts.retries(), counts.invalidEvents(), counts.duplicateEvents(), seed));
        counts.rejectionsByStatus().forEach((status, rejections) -> line.append(String.format(Locale.ROOT,
                "; HTTP %d for %d batches%s", status, rejections.batches(),
                rejections.firstReason().isBlank() ? "" : " (" + rejections.firstReason() + ")")));
        return line.toString();
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** Parses 500ms, 60s, 2m, 1h: the units people type, without ISO-8601's PT prefix. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        private static final Pattern AMOUNT_AND_UNIT = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

        @Override
        public Duration convert(String value) {
            Matcher matcher = AMOUNT_AND_UNIT.matcher(value.trim());
            if (!matcher.matches()) {
                throw new CommandLine.TypeConversionException(
                        "'" + value + "' is not a duration; use a number and a unit, e.g. 500ms, 60s, 2m, 1h");
            }
            long amount = Long.parseLong(matcher.group(1));
            Duration parsed = switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
            if (parsed.isZero()) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a positive duration");
            }
            return parsed;
        }
    }
}
