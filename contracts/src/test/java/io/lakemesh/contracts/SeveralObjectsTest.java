package io.lakemesh.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakemesh.contracts.iceberg.IcebergMapping;
import io.lakemesh.contracts.model.Contract;
import io.lakemesh.contracts.model.Field;
import io.lakemesh.contracts.model.Stage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Contracts that describe several schema objects, or name their products other than {@code <domain>.<name>}. */
class SeveralObjectsTest {

  private static final String HEADER = """
      apiVersion: v3.1.0
      kind: DataContract
      version: 1.0.0
      status: active
      """;

  @Test
  void eachSchemaObjectIsAProductNamedByDomainAndObject() throws Exception {
    List<Contract> products = ContractParser.parseAll("shop.yaml", HEADER + """
        id: shop.sales
        domain: shop
        roles:
          - {role: analyst, access: read}
        customProperties:
          - {property: lakemeshPartitions, value: 4}
        schema:
          - name: orders
            quality:
              - {type: custom, engine: cel, implementation: "row.total >= 0", name: non-negative}
            properties:
              - {name: order_id, logicalType: string, primaryKey: true, required: true}
              - {name: total, logicalType: number}
          - name: Daily Orders
            customProperties:
              - {property: lakemeshStage, value: gold}
              - {property: lakemeshUpstream, value: shop.orders}
              - {property: lakemeshTransform, value: daily_orders}
            properties:
              - {name: day, logicalType: date, primaryKey: true, required: true}
              - {name: orders, logicalType: integer}
        """);
    assertEquals(List.of("shop.orders", "shop.daily_orders"), products.stream().map(Contract::id).toList());
    assertEquals(List.of("orders", "Daily Orders"), products.stream().map(Contract::name).toList());
    Contract orders = products.get(0);
    Contract daily = products.get(1);
    assertEquals("/schema/0", orders.table().pointer());
    assertEquals("/schema/1", daily.table().pointer());
    // the document's settings, unless the object overrides them
    assertEquals(Stage.SOURCE, orders.stage());
    assertEquals(4, orders.settings().partitions());
    assertEquals(Stage.GOLD, daily.stage());
    assertEquals("shop.orders", daily.settings().upstream());
    assertEquals(4, daily.settings().partitions());
    // shared sections, each object's own rules and fields
    assertEquals(List.of("analyst"), daily.roles().stream().map(Contract.RoleGrant::role).toList());
    assertEquals("/schema/0/quality/0", orders.locatedRules().get(0).pointer());
    assertTrue(daily.locatedRules().isEmpty());
    assertEquals(List.of("day"), daily.primaryKey().stream().map(Field::name).toList());
    assertEquals(List.of("day", "orders"), IcebergMapping.schema(daily).columns().stream()
        .map(c -> c.name()).toList());
    assertEquals("/schema/1/customProperties/2/value", daily.settingPointer("lakemeshTransform"));
    assertEquals("/customProperties/0/value", daily.settingPointer("lakemeshPartitions"));
  }

  @Test
  void aUuidIdWithoutDomainNamesTheProductAfterTheObjectInTheDefaultDomain() throws Exception {
    Contract c = ContractParser.parse("uuid.yaml", HEADER + """
        id: 53581432-6c55-4ba2-a65f-72344a91553a
        schema:
          - name: tbl
            properties:
              - {name: txn_ref_dt, logicalType: date}
        """);
    assertEquals("default.tbl", c.id());
    assertEquals("default", c.domain());
    assertTrue(c.primaryKey().isEmpty());
  }

  @Test
  void aDottedIdWithoutDomainTakesItsDomainFromTheId() throws Exception {
    Contract c = ContractParser.parse("dotted.yaml", HEADER + """
        id: retail.returns
        schema:
          - name: returns
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
        """);
    assertEquals("retail.returns", c.id());
    assertEquals("retail", c.domain());
  }

  @Test
  void aDeclaredDomainIsNormalizedAndAnIdOfAnotherDomainNamesNoProduct() throws Exception {
    Contract c = ContractParser.parse("upper.yaml", HEADER + """
        id: "7"
        domain: Seller Ops
        schema:
          - name: Orders
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
        """);
    assertEquals("seller_ops.orders", c.id());
    Contract other = ContractParser.parse("other.yaml", HEADER + """
        id: sales.orders
        domain: retail
        schema:
          - name: refunds
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
        """);
    assertEquals("retail.refunds", other.id());
    Contract dotted = ContractParser.parse("dotted.yaml", HEADER + """
        id: Shop.Orders
        schema:
          - name: orders
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
        """);
    assertEquals("shop.orders", dotted.id());
    assertEquals("shop", dotted.domain());
  }

  @Test
  void aContractWithoutSchemaObjectsIsValidAndDescribesNoProduct() throws Exception {
    assertEquals(List.of(), ContractParser.parseAll("fundamentals.yaml", HEADER + "id: shop.nothing\n"));
    InvalidContractException e = assertThrows(InvalidContractException.class,
        () -> ContractParser.parse("fundamentals.yaml", HEADER + "id: shop.nothing\n"));
    assertTrue(e.getMessage().contains("no schema object"), e.getMessage());
  }

  @Test
  void parseNamesTheProductsOfASeveralObjectContract() {
    InvalidContractException e = assertThrows(InvalidContractException.class, () -> ContractParser.parse(
        "two.yaml", HEADER + """
            id: shop.two
            domain: shop
            schema:
              - name: a
                properties: [{name: id, logicalType: string, primaryKey: true, required: true}]
              - name: b
                properties: [{name: id, logicalType: string, primaryKey: true, required: true}]
            """));
    assertTrue(e.getMessage().contains("2 products, one per schema object (shop.a, shop.b)"), e.getMessage());
  }

  @Test
  void namesBecomeWhatTopicsTablesAndUrlsCarry() {
    assertEquals("order_lines", ProductIds.normalize("Order Lines"));
    assertEquals("p_2024_sales", ProductIds.normalize("2024 sales"));
    assertEquals("a-b_c", ProductIds.normalize("  A-B.c "));
    assertEquals("ventes_ete", ProductIds.normalize("Ventes été"));
    assertEquals("donnees_ventes", ProductIds.normalize("Données Ventes"));
    assertTrue(ProductIds.normalize("売上").matches("p_[0-9a-f]{10}"), ProductIds.normalize("売上"));
    assertTrue(!ProductIds.normalize("売上").equals(ProductIds.normalize("東京")));
  }

  @Test
  void theOwnerOfATeamListIsTheCurrentOwnerMember() throws Exception {
    Contract c = ContractParser.parse("team.yaml", HEADER + """
        id: shop.orders
        team:
          - {username: ceastwood, role: Data Scientist, dateIn: 2022-08-02, dateOut: 2022-10-01}
          - {username: mhopper, role: Data Scientist, dateIn: 2022-10-01}
          - {username: daustin, role: Owner, dateIn: 2022-10-01}
        schema:
          - name: orders
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
        """);
    assertEquals("daustin", c.owner());
  }

  @Test
  void rolesAreJudgedOverAllTablesAndServedPerTable() throws Exception {
    String contract = HEADER + """
        id: crm.visits
        domain: crm
        roles:
          - role: agent
            access: read-write
            customProperties:
              - {property: lakemeshRowFilter, value: "row.email.endsWith(claims.dom)"}
              - {property: lakemeshMasks, value: {pii: hash}}
        schema:
          - name: customers
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - {name: email, logicalType: string, classification: pii}
          - name: daily
            customProperties:
              - {property: lakemeshStage, value: gold}
              - {property: lakemeshUpstream, value: crm.customers}
              - {property: lakemeshTransform, value: daily_visits}
            properties:
              - {name: day, logicalType: date, primaryKey: true, required: true}
        """;
    List<Contract> products = ContractParser.parseAll("crm.yaml", contract);
    var customers = io.lakemesh.contracts.policy.AccessPolicy.of(products.get(0)).role("agent").orElseThrow();
    var daily = io.lakemesh.contracts.policy.AccessPolicy.of(products.get(1)).role("agent").orElseThrow();
    assertTrue(customers.allows(io.lakemesh.contracts.policy.Action.INGEST));
    assertEquals("row.email.endsWith(claims.dom)", customers.rowFilter().orElseThrow().source());
    assertTrue(!daily.allows(io.lakemesh.contracts.policy.Action.INGEST), "a gold product takes no events");
    assertEquals("false", daily.rowFilter().orElseThrow().source(), "a filter over another table's columns shows"
        + " no row of this one");
    // what no table of the contract can use is still a mistake
    InvalidContractException e = assertThrows(InvalidContractException.class, () -> ContractParser.parseAll(
        "crm.yaml", contract.replace("{pii: hash}", "{secret: hash}")));
    assertTrue(e.getMessage().contains("no property has classification 'secret'"), e.getMessage());
  }
}
