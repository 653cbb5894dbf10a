package io.vodflow.localcloud;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Brings a table kept in dev mode's data directory up to the current definition. The embedded
 * DynamoDB cannot add an index to an existing table, so a table that lacks one is copied out, made
 * again and filled back; the items are rewritten as they were, and the new index picks up those that
 * carry its keys. (On AWS, the CDK stack adds an index: see {@code docs/aws.md}.)
 */
final class TableMigration {

    private static final Logger LOG = Logger.getLogger(TableMigration.class);
    /** BatchWriteItem takes at most this many items. */
    private static final int BATCH = 25;

    private TableMigration() {}

    /**
     * @param upgrade brings one item written by an older vodflow up to the current definition (for
     *     example, gives it the keys of an index it now belongs in)
     */
    static void migrate(
            DynamoDbClient dynamo, CreateTableRequest wanted, UnaryOperator<Map<String, AttributeValue>> upgrade) {
        String table = wanted.tableName();
        Set<String> present =
                dynamo.describeTable(describe -> describe.tableName(table)).table().globalSecondaryIndexes().stream()
                        .map(GlobalSecondaryIndexDescription::indexName)
                        .collect(Collectors.toSet());
        List<String> missing = wanted.globalSecondaryIndexes().stream()
                .map(GlobalSecondaryIndex::indexName)
                .filter(index -> !present.contains(index))
                .toList();
        if (missing.isEmpty()) {
            return;
        }
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        dynamo.scanPaginator(scan -> scan.tableName(table).consistentRead(true))
                .items()
                .forEach(items::add);
        dynamo.deleteTable(delete -> delete.tableName(table));
        dynamo.waiter().waitUntilTableNotExists(describe -> describe.tableName(table));
        dynamo.createTable(wanted);
        dynamo.waiter().waitUntilTableExists(describe -> describe.tableName(table));
        for (int from = 0; from < items.size(); from += BATCH) {
            List<WriteRequest> writes = items.subList(from, Math.min(items.size(), from + BATCH)).stream()
                    .map(item -> WriteRequest.builder()
                            .putRequest(PutRequest.builder()
                                    .item(upgrade.apply(item))
                                    .build())
                            .build())
                    .toList();
            dynamo.batchWriteItem(batch -> batch.requestItems(Map.of(table, writes)));
        }
        LOG.infof("Table %s: added the indexes %s, keeping its %d items", table, missing, items.size());
    }
}
