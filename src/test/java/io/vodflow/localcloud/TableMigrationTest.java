package io.vodflow.localcloud;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.vodflow.video.VideoTable;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;

/**
 * A table kept in dev mode's data directory by an older vodflow, without the pending index, gets the
 * index at the next start and keeps every item; a video still in progress joins the index.
 */
@QuarkusTest
class TableMigrationTest {

    @Inject
    DynamoDbClient dynamo;

    @Test
    void anOlderTableGetsTheNewIndexAndKeepsItsVideos() {
        String table = "legacy-" + UUID.randomUUID();
        CreateTableRequest current = VideoTable.createTableRequest(table);
        // The table as the previous release made it: the same, but without the pending index.
        dynamo.createTable(current.toBuilder()
                .globalSecondaryIndexes(current.globalSecondaryIndexes().stream()
                        .filter(index -> !index.indexName().equals(VideoTable.PENDING_INDEX))
                        .toList())
                .attributeDefinitions(current.attributeDefinitions().stream()
                        .filter(attribute -> !attribute.attributeName().equals(VideoTable.PENDING_KEY)
                                && !attribute.attributeName().equals(VideoTable.UPDATED_MILLIS))
                        .toList())
                .build());
        dynamo.putItem(put -> put.tableName(table).item(video("in-progress", "PROGRESSING")));
        dynamo.putItem(put -> put.tableName(table).item(video("finished", "COMPLETE")));

        TableMigration.migrate(dynamo, current, VideoTable::upgrade);

        assertThat(dynamo.describeTable(describe -> describe.tableName(table))
                        .table()
                        .globalSecondaryIndexes())
                .extracting(GlobalSecondaryIndexDescription::indexName)
                .contains(VideoTable.PENDING_INDEX, VideoTable.BY_CREATION_INDEX, VideoTable.BY_JOB_INDEX);
        assertThat(dynamo.scan(scan -> scan.tableName(table)).items()).hasSize(2);
        List<String> pending = dynamo
                .query(query -> query.tableName(table)
                        .indexName(VideoTable.PENDING_INDEX)
                        .keyConditionExpression("#pending = :pending")
                        .expressionAttributeNames(Map.of("#pending", VideoTable.PENDING_KEY))
                        .expressionAttributeValues(Map.of(":pending", AttributeValue.fromS(VideoTable.PENDING))))
                .items()
                .stream()
                .map(item -> item.get(VideoTable.ID).s())
                .toList();
        assertThat(pending).containsExactly("in-progress");

        TableMigration.migrate(dynamo, current, VideoTable::upgrade); // nothing left to do
        assertThat(dynamo.scan(scan -> scan.tableName(table)).items()).hasSize(2);
        dynamo.deleteTable(delete -> delete.tableName(table));
    }

    private static Map<String, AttributeValue> video(String id, String status) {
        return Map.of(
                VideoTable.ID,
                AttributeValue.fromS(id),
                "status",
                AttributeValue.fromS(status),
                "updatedAt",
                AttributeValue.fromS("2026-01-01T00:00:00Z"),
                VideoTable.LIST_KEY,
                AttributeValue.fromS("video"),
                VideoTable.CREATED_MILLIS,
                AttributeValue.fromN("1767225600000"));
    }
}
