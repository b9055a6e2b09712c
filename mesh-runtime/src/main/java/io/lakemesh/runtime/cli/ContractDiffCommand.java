package io.lakemesh.runtime.cli;

import io.lakemesh.contracts.ContractParser;
import io.lakemesh.contracts.InvalidContractException;
import io.lakemesh.contracts.Problem;
import io.lakemesh.contracts.evolution.ContractDiff;
import io.lakemesh.contracts.evolution.Verdict;
import io.lakemesh.contracts.model.Contract;
import io.lakemesh.runtime.product.Product;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code lakemesh contract diff OLD NEW}: the evolution gate from the command line. Prints the verdict and every
 * change; exit 0 when NEW deploys (compatible, or a higher major version), 1 when it is breaking or a file is not a
 * valid contract, 2 on bad usage, 3 when a higher major version widens access (it deploys; a reviewer should look).
 */
@Command(name = "diff",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Compare a proposed contract with the running one.",
                "Prints COMPATIBLE (the tables evolve in place), BREAKING (refused on the same major version) or "
                        + "NEW MAJOR (a higher major version: runs beside the running one), then every change, "
                        + "breaking ones first; a change under an unchanged version is flagged."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:compatible, or a higher major version (breaking changes allowed)",
                "1:breaking on the same major version, or a file is not a valid contract",
                "2:bad usage (missing or unreadable file, wrong arguments)",
                "3:a higher major version that widens access (deploys; a reviewer should look)"})
public final class ContractDiffCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "OLD", description = "The running contract (.odcs.yaml); - reads it from"
            + " standard input.")
    private Path running;

    @Parameters(index = "1", paramLabel = "NEW", description = "The proposed contract (.odcs.yaml); - reads it from"
            + " standard input.")
    private Path proposed;

    @Override
    public Integer call() {
        if (running.toString().equals("-") && proposed.toString().equals("-")) {
            throw new ParameterException(spec.commandLine(), "only one of OLD and NEW can be '-' (standard input)");
        }
        running = standardInputFor(running);
        proposed = standardInputFor(proposed);
        requireReadable(running);
        requireReadable(proposed);
        PrintWriter err = spec.commandLine().getErr();
        List<String> problems = new ArrayList<>();
        // each file is read once: either may be a pipe (diff <(git show HEAD:file) file)
        String runningText = read(running, problems);
        String proposedText = read(proposed, problems);
        List<Contract> old = runningText == null ? List.of() : parse(running, runningText, problems);
        List<Contract> next = proposedText == null ? List.of() : parse(proposed, proposedText, problems);
        if (!problems.isEmpty()) {
            problems.forEach(err::println);
            err.flush();
            return 1;
        }
        PrintWriter out = spec.commandLine().getOut();
        if (old.isEmpty() && next.isEmpty()) {
            // roles, SLAs and servers govern products; without a schema object there is none to compare
            out.println("nothing to compare: neither contract has a schema object, so neither describes a data"
                    + " product (roles, SLAs and servers apply to a contract's products)");
            out.flush();
            return 0;
        }
        if (old.size() == 1 && next.size() == 1) {
            // one product each: compared even when the id changed, which the gate refuses with its reason
            ContractDiff diff = ContractDiff.compare(old.get(0), next.get(0));
            out.print(diff.render());
            out.flush();
            return diff.verdict() == Verdict.BREAKING ? 1 : diff.accessWidenedByNewMajor().isEmpty() ? 0 : 3;
        }
        // several schema objects: each product against the one of the same id
        List<String> breaking = new java.util.ArrayList<>();
        boolean widening = false;
        Map<String, Contract> proposedById = new LinkedHashMap<>();
        next.forEach(c -> proposedById.put(c.id(), c));
        for (Contract was : old) {
            Contract now = proposedById.remove(was.id());
            if (now == null) {
                if (removed(out, was, next, versionOf(proposedText))) {
                    breaking.add(was.id());
                }
                continue;
            }
            ContractDiff diff = ContractDiff.compare(was, now);
            if (diff.verdict() == Verdict.BREAKING) {
                breaking.add(was.id());
            }
            widening |= !diff.accessWidenedByNewMajor().isEmpty();
            out.print(diff.render());
        }
        for (Contract added : proposedById.values()) {
            out.println(Verdict.COMPATIBLE.label() + "  " + added.id() + " " + added.version() + ": schema object '"
                + added.table().name() + "' is added as a new product");
        }
        if (!breaking.isEmpty()) {
            // one document, one version: a node deploys all of its products or none
            out.println("refused as a whole: " + String.join(", ", breaking) + (breaking.size() == 1 ? " is" : " are")
                + " breaking, so nothing of this contract deploys"
                + (breaking.size() < old.size() ? " (its other products keep their version too)" : ""));
        }
        out.flush();
        return !breaking.isEmpty() ? 1 : widening ? 3 : 0;
    }

    /**
     * A product the proposed contract no longer describes: breaking on the same major version (its readers lose it),
     * allowed under a higher one. Says so when the product was only renamed by the contract growing a second schema
     * object. Returns whether it is breaking.
     */
    private static boolean removed(PrintWriter out, Contract was, List<Contract> next, String proposedVersion) {
        String version = next.isEmpty() ? (proposedVersion == null ? was.version() : proposedVersion)
                : next.get(0).version();
        boolean newMajor = Product.majorOf(version) > Product.majorOf(was.version());
        out.println((newMajor ? Verdict.NEW_MAJOR : Verdict.BREAKING).label() + "  " + was.id() + " "
                + was.version() + " -> " + version + ": schema object '" + was.table().name()
                + "' is no longer a product of the contract");
        String wasDomain = was.id().substring(0, Math.max(0, was.id().indexOf('.')));
        next.stream().filter(c -> c.table().name().equals(was.table().name())).findFirst().ifPresent(renamed ->
                out.println("  its schema object is now product " + renamed.id() + (next.size() > 1
                        && renamed.id().endsWith("." + was.id().substring(was.id().indexOf('.') + 1))
                        && !renamed.id().startsWith(wasDomain + ".")
                        // the object kept its name: the domain moved, and a product is <domain>.<object name>
                        ? ": the domain changes from '" + wasDomain + "' to '" + renamed.id().substring(0,
                                renamed.id().indexOf('.')) + "', and another domain owns another product; keep"
                                + " domain: " + wasDomain + " to keep " + was.id() + " and its tables"
                        : next.size() == 1
                        ? ": a contract with one schema object whose id reads <domain>.<name> is named by its id;"
                                + " write id: " + was.id() + " to keep " + was.id() + " and its tables"
                        : ": a contract with several schema objects names each product <domain>.<object name>;"
                                + " name the object '" + was.id().substring(was.id().indexOf('.') + 1) + "' to keep "
                                + was.id() + " and its tables")));
        out.println(newMajor
                ? "runs without it from " + version + ": its tables stay as they are"
                : "refused: removing a product needs a new major version (its tables stay as they are)");
        return !newMajor;
    }


    /** The version a contract file declares, also when it describes no product; null when unreadable. */
    private static String versionOf(String text) {
        try {
            com.fasterxml.jackson.databind.JsonNode doc = ContractParser.document(text);
            return doc == null || !doc.path("version").isValueNode() ? null : doc.path("version").asText();
        } catch (java.io.IOException e) {
            return null; // parsed a moment ago: the products' own version stands in
        }
    }

    /**
     * What a node's answer piped in instead of a contract is: an RFC 9457 problem (its status, title and detail), or
     * a product's detail; empty for anything else.
     */
    private static java.util.Optional<String> nodeAnswer(String text) {
        try {
            com.fasterxml.jackson.databind.JsonNode doc = ContractParser.document(text);
            if (doc != null && doc.isObject() && doc.path("contract").isObject() && doc.has("servedTable")) {
                // curl .../products/<id> | lakemesh contract diff - ...: the detail holds the contract, is not one
                return java.util.Optional.of("this is the detail of product " + doc.path("id").asText() + ", not a"
                        + " contract: its contract is at /api/v1/products/" + doc.path("id").asText() + "/contract");
            }
            if (doc == null || !doc.isObject() || !doc.path("status").isInt() || !doc.path("title").isTextual()
                    || doc.has("apiVersion")) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of("an HTTP error answer, not a contract: " + doc.path("status").asInt() + " "
                    + doc.path("title").asText()
                    + (doc.path("detail").isTextual() ? ": " + doc.path("detail").asText() : ""));
        } catch (java.io.IOException e) {
            return java.util.Optional.empty(); // not JSON or YAML: the parser says what is wrong
        }
    }

    /** {@code -}, the usual name of standard input, as the file the system reads it from. */
    private static Path standardInputFor(Path file) {
        return file.toString().equals("-") ? Path.of("/dev/stdin") : file;
    }

    private void requireReadable(Path file) {
        // a pipe or a device is no regular file, and is read as any other
        if (!Files.exists(file)) {
            throw new ParameterException(spec.commandLine(), "cannot read contract file '" + file + "': no such file");
        }
        java.util.Optional<String> why = io.lakemesh.contracts.IoReasons.unreadable(file);
        if (why.isPresent()) {
            throw new ParameterException(spec.commandLine(), "cannot read contract file '" + file + "': "
                    + why.get());
        }
    }

    /** The contract's products, or none with one line per problem added to {@code problems}. */
    /** One line per problem, whatever the parser quoted from the file. */
    private static String line(Path file, Problem problem) {
        return (file + ": " + problem).replaceAll("\\s*\\R\\s*", " ");
    }

    /** A contract file's text, or null with its problem added to {@code problems}. */
    private static String read(Path file, List<String> problems) {
        try {
            return ContractParser.read(file);
        } catch (InvalidContractException e) {
            e.problems().forEach(p -> problems.add(line(file, p)));
            return null;
        }
    }

    private static List<Contract> parse(Path file, String text, List<String> problems) {
        java.util.Optional<String> error = nodeAnswer(text);
        if (error.isPresent()) {
            // curl .../contract | lakemesh contract diff - new.yaml, with a wrong token or product: one line on that
            problems.add(file + ": " + error.get());
            return List.of();
        }
        try {
            List<Contract> products = ContractParser.parseAll(file.toString(), text);
            // what lint checks beyond the parser (the Iceberg schema and partition spec it yields): a contract that
            // cannot start is no version to compare with
            for (Contract product : products) {
                for (Problem p : ContractLinter.lint(product)) {
                    problems.add(line(file, p));
                }
            }
            return problems.isEmpty() ? products : List.of();
        } catch (InvalidContractException e) {
            for (Problem p : e.problems()) {
                problems.add(line(file, p));
            }
            return List.of();
        }
    }
}
