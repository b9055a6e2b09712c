/**
 * Iceberg storage: the {@link io.lakemesh.runtime.storage.Warehouse} (catalog + files), writing
 * batches and committing them with their source positions ({@link
 * io.lakemesh.runtime.storage.TableWriter}, {@link io.lakemesh.runtime.storage.SnapshotPositions}),
 * and reading rows back ({@link io.lakemesh.runtime.storage.TableReader}).
 */
package io.lakemesh.runtime.storage;
