/**
 * The evolution gate: {@link io.lakemesh.contracts.evolution.ContractDiff} compares a proposed contract with the
 * running one and judges it compatible, breaking, or a new major version; {@link
 * io.lakemesh.contracts.evolution.SchemaEvolution} applies a compatible one to the product's Iceberg table in place.
 */
package io.lakemesh.contracts.evolution;
