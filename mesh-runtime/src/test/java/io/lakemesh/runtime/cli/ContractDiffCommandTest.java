package io.lakemesh.runtime.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContractDiffCommandTest {

    @TempDir
    static Path dir;

    private static String orders;

    /** A finished command run: exit code and what it printed. */
    private record Run(int exitCode, String out, String err) {}

    @BeforeAll
    static void readContract() throws IOException {
        try (InputStream in = ContractDiffCommandTest.class.getResourceAsStream("/contracts/orders.odcs.yaml")) {
            orders = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Runs {@code contract ARGS} the way {@code lakemesh contract ARGS} does. */
    private static Run contract(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new ContractCommand())
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true));
        int exitCode = command.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    private static String file(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file.toString();
    }

    @Test
    void compatibleExitsZeroAndListsTheChanges() throws IOException {
        String old = file("orders-1.0.0.odcs.yaml", orders);
        String proposed = file("orders-1.1.0.odcs.yaml", orders
                .replace("version: 1.0.0", "version: 1.1.0")
                .replace("physicalType: int", "physicalType: bigint")
                .replace("[open, paid, shipped]", "[open, paid, shipped, returned]"));

        Run run = contract("diff", old, proposed);

        assertEquals(0, run.exitCode(), run.err());
        assertEquals("""
                COMPATIBLE  shop.orders 1.0.0 -> 1.1.0: 3 compatible changes
                  compatible  version changes from 1.0.0 to 1.1.0
                  compatible  type of 'quantity' is promoted from int to long
                  compatible  'status' also accepts [returned]
                deploys in place: the tables evolve without rewriting data
                note: gold products over shop.orders are checked against the new types at deploy: lint this file \
                together with theirs (lakemesh contract lint <directory>) to check them now
                """, run.out());
        assertEquals("", run.err());
    }

    @Test
    void theRunningContractMayComeThroughAPipe() throws Exception {
        // diff <(git show HEAD:orders.odcs.yaml) orders.odcs.yaml: the old text comes through a pipe, read once
        Path pipe = dir.resolve("running.pipe");
        assertEquals(0, new ProcessBuilder("mkfifo", pipe.toString()).start().waitFor());
        String proposed = file("orders-piped.odcs.yaml", orders.replace("version: 1.0.0", "version: 1.1.0")
                .replace("[open, paid, shipped]", "[open, paid, shipped, returned]"));
        Thread writer = new Thread(() -> {
            try {
                Files.writeString(pipe, orders);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();
        Run run = contract("diff", pipe.toString(), proposed);
        writer.join(10_000);

        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().startsWith("COMPATIBLE  shop.orders 1.0.0 -> 1.1.0"), run.out());
    }

    @Test
    void aDashReadsTheNewContractFromStandardInput() throws Exception {
        // cat new.odcs.yaml | lakemesh contract diff old.odcs.yaml -, in a JVM of its own (this one's standard input
        // is the test runner's)
        String old = file("orders-stdin-old.odcs.yaml", orders);
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), "io.lakemesh.runtime.cli.LakemeshCli",
                "contract", "diff", old, "-").redirectErrorStream(true).start();
        try (var in = child.getOutputStream()) {
            in.write(orders.replace("version: 1.0.0", "version: 1.1.0")
                    .replace("[open, paid, shipped]", "[open, paid]").getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), output);
        assertEquals(1, child.exitValue(), output);
        assertTrue(output.contains("BREAKING  shop.orders 1.0.0 -> 1.1.0"), output);

        Run both = contract("diff", "-", "-");
        assertEquals(2, both.exitCode(), both.err());
        assertTrue(both.err().contains("only one of OLD and NEW can be '-'"), both.err());
    }

    @Test
    void anHttpErrorInsteadOfTheDeployedContractIsOneLine() throws IOException {
        // curl -s .../contract | lakemesh contract diff - new.yaml with an expired token: the answer is a problem
        String answer = file("answer.json", "{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,"
                + "\"detail\":\"the bearer token has expired\",\"instance\":\"/api/v1/products/shop.orders/contract\"}");
        Run run = contract("diff", answer, file("orders.odcs.yaml", orders));
        assertEquals(1, run.exitCode(), run.out() + run.err());
        assertEquals(answer + ": an HTTP error answer, not a contract: 401 Unauthorized: the bearer token has expired",
                run.err().strip());
        // the product's detail (without /contract) holds the contract but is none
        String detail = file("detail.json", "{\"id\":\"shop.orders\",\"stage\":\"source\",\"servedTable\":"
                + "\"shop.orders_silver\",\"contract\":{\"apiVersion\":\"v3.1.0\"}}");
        Run product = contract("diff", detail, file("orders.odcs.yaml", orders));
        assertEquals(1, product.exitCode(), product.out() + product.err());
        assertEquals(detail + ": this is the detail of product shop.orders, not a contract: its contract is at"
                + " /api/v1/products/shop.orders/contract", product.err().strip());
    }

    @Test
    void aJsonContractThroughAPipeIsReadAsJson() throws Exception {
        // curl -H 'Accept: application/json' .../contract | lakemesh contract diff - file: the piped text has no
        // .json name; read as YAML, the NEL in its description would become a space and look like a change
        String withNel = orders.replace("version: 1.0.0", "version: 1.0.0\ndescription: {purpose: \"one\\Ntwo\"}");
        String asJson = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(
                io.lakemesh.contracts.ContractParser.document(withNel));
        assertTrue(asJson.contains("\u0085"), asJson);
        Run run = contract("diff", file("deployed-answer", asJson), file("orders-nel.odcs.yaml", withNel));
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains("no changes"), run.out());
    }

    @Test
    void breakingExitsOneWithTheBreakingChangesFirst() throws IOException {
        String old = file("orders.odcs.yaml", orders);
        String proposed = file("orders-breaking.odcs.yaml", orders
                .replace("version: 1.0.0", "version: 1.1.0")
                .replace("[open, paid, shipped]", "[open, paid]")
                .replace("      - name: quantity\n        logicalType: integer\n        physicalType: int\n"
                        + "        required: true\n", ""));

        Run run = contract("diff", old, proposed);

        assertEquals(1, run.exitCode(), run.out() + run.err());
        String[] lines = run.out().split("\n");
        assertEquals("BREAKING  shop.orders 1.0.0 -> 1.1.0: 2 breaking changes, 1 compatible", lines[0]);
        assertEquals("  breaking    field 'quantity' (int) is removed: readers of it break", lines[1]);
        assertEquals("  breaking    'status' no longer accepts [shipped]", lines[2]);
        assertEquals("  compatible  version changes from 1.0.0 to 1.1.0", lines[3]);
        assertTrue(lines[4].startsWith("refused: a breaking change needs a new major version (2.0.0)"), run.out());
    }

    @Test
    void aBreakingChangeUnderANewMajorExitsZero() throws IOException {
        String old = file("orders-v1.odcs.yaml", orders);
        String proposed = file("orders-v2.odcs.yaml", orders
                .replace("version: 1.0.0", "version: 2.0.0")
                .replace("[open, paid, shipped]", "[open, paid]"));

        Run run = contract("diff", old, proposed);

        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().startsWith("NEW MAJOR  shop.orders 1.0.0 -> 2.0.0"), run.out());
    }

    @Test
    void aNewMajorThatWidensAccessDeploysButExitsThreeForAReviewer() throws IOException {
        String retail = Files.readString(Path.of("../domains/retail/contracts/transactions.odcs.yaml"));
        String old = file("transactions-v1.odcs.yaml", retail);
        String proposed = file("transactions-v2.odcs.yaml", retail.replace("version: 1.0.1", "version: 2.0.0")
                .replace("      - property: lakemeshRowFilter\n        value: row.region == claims.region\n", ""));

        Run run = contract("diff", old, proposed);

        assertEquals(3, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().startsWith("NEW MAJOR  retail.transactions 1.0.1 -> 2.0.0"), run.out());
        assertTrue(run.out().contains("row filter of role 'analyst'"), run.out());
        assertTrue(run.out().contains("review: 2.0.0 widens access (1 of the changes above) and fills its tables from"
                + " the raw log's whole history: the roles it widens will read all of it, not only what arrives from"
                + " now on; have the data's owner approve it\n"), run.out());
    }

    @Test
    void anUnparseableContractExitsOneWithOneLinePerProblem() throws IOException {
        String old = file("orders-ok.odcs.yaml", orders);
        String broken = file("orders-broken.odcs.yaml", orders
                .replace("apiVersion: v3.1.0", "apiVersion: v9")
                .replace("logicalType: timestamp", "logicalType: datetime"));

        Run run = contract("diff", old, broken);

        assertEquals(1, run.exitCode(), run.out() + run.err());
        assertEquals("", run.out());
        String[] lines = run.err().split("\n");
        assertTrue(lines.length >= 2, run.err());
        for (String line : lines) {
            assertTrue(line.startsWith(broken + ": /"), line);
        }
        assertTrue(run.err().contains(broken + ": /apiVersion: "), run.err());
        assertTrue(run.err().contains("unknown logical type 'datetime'"), run.err());
        assertFalse(run.err().contains("Exception") || run.err().contains("\tat "), "no stack trace: " + run.err());
    }

    @Test
    void notYamlAtAllIsOneLine() throws IOException {
        String old = file("orders-base.odcs.yaml", orders);
        String junk = file("junk.yaml", "id: [unclosed\n  name: x\n");

        Run run = contract("diff", old, junk);

        assertEquals(1, run.exitCode());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().startsWith(junk + ": /: not valid YAML"), run.err());
    }

    @Test
    void usageErrorsExitTwo() throws IOException {
        String old = file("orders-usage.odcs.yaml", orders);

        Run missingArgument = contract("diff", old);
        assertEquals(2, missingArgument.exitCode());
        assertTrue(missingArgument.err().contains("Missing required parameter: 'NEW'"), missingArgument.err());

        Run missingFile = contract("diff", old, dir.resolve("nope.yaml").toString());
        assertEquals(2, missingFile.exitCode());
        assertTrue(missingFile.err().startsWith("cannot read contract file '") && missingFile.err().contains(
                "nope.yaml': no such file"), missingFile.err());
        Run directory = contract("diff", old, dir.toString());
        assertEquals(2, directory.exitCode());
        assertTrue(directory.err().contains("': a directory, not a file"), directory.err());

        Run noSubcommand = contract();
        assertEquals(2, noSubcommand.exitCode());
        assertTrue(noSubcommand.err().contains("Missing subcommand: one of lint, diff, explain"), noSubcommand.err());
    }

    @Test
    void aCompatibleChangeUnderTheSameVersionIsWarnedAboutAndExitsZero() throws IOException {
        String old = file("same-1.0.0.odcs.yaml", orders);
        String proposed = file("same-1.0.0-edited.odcs.yaml", orders
                .replace("[open, paid, shipped]", "[open, paid, shipped, returned]"));

        Run run = contract("diff", old, proposed);

        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().startsWith("COMPATIBLE  "), run.out());
        assertTrue(run.out().endsWith("warning: version 1.0.0 is not raised; raise the minor version (1.1.0) so"
                + " consumers can tell the contracts apart\n"), run.out());
    }

    @Test
    void aMajorBumpWithoutChangesRunsBesideAndExitsZero() throws IOException {
        String old = file("bump-1.0.0.odcs.yaml", orders);
        String proposed = file("bump-2.0.0.odcs.yaml", orders.replace("version: 1.0.0", "version: 2.0.0"));

        Run run = contract("diff", old, proposed);

        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().startsWith("NEW MAJOR  "), run.out());
        assertTrue(run.out().contains("runs beside 1.0.0 as a new major version"), run.out());
        assertFalse(run.out().contains("in place"), run.out());
    }
    private static String shop(String version, String linesProperties, String extraObject) {
        return """
                apiVersion: v3.1.0
                kind: DataContract
                id: 0b7c2b8e-6a0e-4c55-8f0e-3c1d2a9f4e11
                version: %s
                status: active
                domain: shop
                schema:
                  - name: orders
                    properties:
                      - {name: order_id, logicalType: string, primaryKey: true, required: true}
                  - name: lines
                    properties:
                      - {name: line_id, logicalType: string, primaryKey: true, required: true}
                %s
                %s""".formatted(version, linesProperties, extraObject);
    }

    @Test
    void severalObjectsAreComparedProductByProduct() throws IOException {
        String old = file("shop-1.0.0.odcs.yaml", shop("1.0.0", "", ""));
        String added = file("shop-1.1.0.odcs.yaml", shop("1.1.0",
                "      - {name: note, logicalType: string}",
                "  - name: returns\n    properties:\n      - {name: id, logicalType: string, primaryKey: true}"));
        Run compatible = contract("diff", old, added);
        assertEquals(0, compatible.exitCode(), compatible.out() + compatible.err());
        assertTrue(compatible.out().contains("COMPATIBLE  shop.orders 1.0.0 -> 1.1.0: 1 compatible change"), compatible.out());
        assertTrue(compatible.out().contains("optional field 'note' (string) is added"), compatible.out());
        assertTrue(compatible.out().contains("shop.returns 1.1.0: schema object 'returns' is added as a new product"),
                compatible.out());

        Run removed = contract("diff", added, old);
        assertEquals(1, removed.exitCode(), removed.out());
        assertTrue(removed.out().contains("BREAKING  shop.returns 1.1.0 -> 1.0.0: schema object 'returns' is no"
                + " longer a product"), removed.out());
        assertTrue(removed.out().contains("refused: removing a product needs a new major version"), removed.out());
        assertTrue(removed.out().endsWith("refused as a whole: shop.orders, shop.lines, shop.returns are breaking, so"
                + " nothing of this contract deploys\n"), removed.out());

        String dropped = file("shop-2.0.0.odcs.yaml", shop("2.0.0", "", ""));
        Run major = contract("diff", added, dropped);
        assertEquals(0, major.exitCode(), major.out());
        assertTrue(major.out().contains("NEW MAJOR  shop.returns 1.1.0 -> 2.0.0"), major.out());
    }

    @Test
    void aProductRenamedByASecondSchemaObjectSaysHowToKeepItsName() throws IOException {
        String one = """
                apiVersion: v3.1.0
                kind: DataContract
                id: shop.orders
                version: 1.0.0
                status: active
                domain: shop
                schema:
                  - name: order_items
                    properties:
                      - {name: id, logicalType: string, primaryKey: true, required: true}
                """;
        String two = one.replace("version: 1.0.0", "version: 1.1.0")
                + "  - name: returns\n    properties:\n      - {name: id, logicalType: string, primaryKey: true}\n";
        Run run = contract("diff", file("one.odcs.yaml", one), file("two.odcs.yaml", two));
        assertEquals(1, run.exitCode(), run.out());
        assertTrue(run.out().contains("its schema object is now product shop.order_items: a contract with several"
                + " schema objects names each product <domain>.<object name>; name the object 'orders' to keep"
                + " shop.orders and its tables"), run.out());
    }

    @Test
    void contractsWithoutSchemaObjectsSayThereIsNothingToCompare() throws IOException {
        String roles = """
                apiVersion: v3.1.0
                kind: DataContract
                id: 0b6a8d3e-roles
                version: 1.0.0
                status: active
                roles:
                  - {role: analyst, access: read}
                """;
        Run run = contract("diff", file("roles-a.odcs.yaml", roles),
                file("roles-b.odcs.yaml", roles.replace("analyst", "auditor")));
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("nothing to compare: neither contract has a schema object, so neither describes a data product"
                + " (roles, SLAs and servers apply to a contract's products)\n", run.out());
    }

    @Test
    void aChangedDocumentIdThatKeepsTheProductIsListed() throws IOException {
        String shipments = """
                apiVersion: v3.1.0
                kind: DataContract
                id: 53581432-6c55-4ba2-a65f-72344a91553a
                version: 1.0.0
                status: active
                domain: logistics
                schema:
                  - name: shipments
                    properties:
                      - {name: id, logicalType: string, primaryKey: true, required: true}
                """;
        Run run = contract("diff", file("ship-a.odcs.yaml", shipments), file("ship-b.odcs.yaml", shipments
                .replace("53581432", "99999999").replace("version: 1.0.0", "version: 1.0.1")));
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("compatible  contract id changes from '53581432-6c55-4ba2-a65f-72344a91553a' to"
                + " '99999999-6c55-4ba2-a65f-72344a91553a' (the product stays logistics.shipments)"), run.out());
    }

    @Test
    void aProposedContractWhoseTableCannotBeBuiltIsAProblemNotCompatible() throws IOException {
        String events;
        try (InputStream in = ContractDiffCommandTest.class.getResourceAsStream(
                "/contracts/events-partitioned-by-day.odcs.yaml")) {
            events = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String clash = events.replace("version: 1.0.0", "version: 1.1.0")
                + "      - {name: at_day, logicalType: date}\n";
        Run run = contract("diff", file("events-1.odcs.yaml", events), file("events-2.odcs.yaml", clash));
        assertEquals(1, run.exitCode(), run.out() + run.err());
        assertEquals("", run.out());
        assertTrue(run.err().contains("events-2.odcs.yaml: /schema/0/properties: cannot build the partition spec: a"
                + " property is named 'at_day', the name Iceberg gives a partition field"), run.err());
    }

    @Test
    void aContractThatDropsItsOnlyProductNamesItsOwnVersion() throws IOException {
        String one = """
                apiVersion: v3.1.0
                kind: DataContract
                id: qa.nothing
                version: 1.1.0
                status: active
                schema:
                  - name: things
                    properties:
                      - {name: id, logicalType: string, primaryKey: true, required: true}
                  - name: others
                    properties:
                      - {name: id, logicalType: string, primaryKey: true, required: true}
                """;
        String none = """
                apiVersion: v3.1.0
                kind: DataContract
                id: qa.nothing
                version: 2.0.0
                status: active
                """;
        Run run = contract("diff", file("nothing-1.odcs.yaml", one), file("nothing-2.odcs.yaml", none));
        assertTrue(run.out().contains("1.1.0 -> 2.0.0: schema object 'things' is no longer a product"), run.out());
        assertFalse(run.out().contains("1.1.0 -> 1.1.0"), run.out());
    }
}
