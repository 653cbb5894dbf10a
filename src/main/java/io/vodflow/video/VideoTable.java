package io.vodflow.video;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The shape of the videos table: one item per video keyed by {@code id}, an index listing videos
 * newest first, an index finding a video by its transcoding job id, and a sparse index of the videos
 * not yet in a terminal status, oldest change first, for the reconciler. The embedded DynamoDB is
 * created from this; on AWS the same definition is in {@code docs/aws.md}.
 */
public final class VideoTable {

    public static final String ID = "id";
    /** Same value on every item, so that one index partition lists all videos by creation time. */
    public static final String LIST_KEY = "listKey";

    /** Creation time in epoch milliseconds, the sort key of the listing index. */
    public static final String CREATED_MILLIS = "createdMillis";
    /** The transcoding job's id, copied to the top level for the job index. */
    public static final String JOB_ID = "jobId";

    /**
     * Same value ({@link #PENDING}) on every video not yet COMPLETE, ERROR or CANCELED, or being
     * deleted; absent on the others.
     */
    public static final String PENDING_KEY = "pendingKey";

    public static final String PENDING = "pending";
    /** Time of the last change in epoch milliseconds, the sort key of the pending index. */
    public static final String UPDATED_MILLIS = "updatedMillis";

    public static final String VERSION = "version";
    public static final String BY_CREATION_INDEX = "byCreation";
    public static final String BY_JOB_INDEX = "byJob";
    public static final String PENDING_INDEX = "pending";

    private VideoTable() {}

    public static CreateTableRequest createTableRequest(String tableName) {
        return CreateTableRequest.builder()
                .tableName(tableName)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        attribute(ID, ScalarAttributeType.S),
                        attribute(LIST_KEY, ScalarAttributeType.S),
                        attribute(CREATED_MILLIS, ScalarAttributeType.N),
                        attribute(JOB_ID, ScalarAttributeType.S),
                        attribute(PENDING_KEY, ScalarAttributeType.S),
                        attribute(UPDATED_MILLIS, ScalarAttributeType.N))
                .keySchema(key(ID, KeyType.HASH))
                .globalSecondaryIndexes(
                        GlobalSecondaryIndex.builder()
                                .indexName(BY_CREATION_INDEX)
                                .keySchema(key(LIST_KEY, KeyType.HASH), key(CREATED_MILLIS, KeyType.RANGE))
                                .projection(Projection.builder()
                                        .projectionType(ProjectionType.ALL)
                                        .build())
                                .build(),
                        GlobalSecondaryIndex.builder()
                                .indexName(BY_JOB_INDEX)
                                .keySchema(key(JOB_ID, KeyType.HASH))
                                .projection(Projection.builder()
                                        .projectionType(ProjectionType.KEYS_ONLY)
                                        .build())
                                .build(),
                        GlobalSecondaryIndex.builder()
                                .indexName(PENDING_INDEX)
                                .keySchema(key(PENDING_KEY, KeyType.HASH), key(UPDATED_MILLIS, KeyType.RANGE))
                                .projection(Projection.builder()
                                        .projectionType(ProjectionType.KEYS_ONLY)
                                        .build())
                                .build())
                .build();
    }

    /**
     * A video item written before the pending index existed, with the keys that put it there when it
     * is not finished; any other item as it is.
     */
    public static Map<String, AttributeValue> upgrade(Map<String, AttributeValue> item) {
        // The attributes Jackson writes for Video.status and Video.updatedAt (an ISO-8601 instant).
        AttributeValue status = item.get("status");
        AttributeValue updatedAt = item.get("updatedAt");
        if (item.containsKey(PENDING_KEY) || status == null || updatedAt == null) {
            return item;
        }
        if (VideoStatus.valueOf(status.s()).isTerminal()) {
            return item;
        }
        Map<String, AttributeValue> upgraded = new HashMap<>(item);
        upgraded.put(PENDING_KEY, AttributeValue.fromS(PENDING));
        upgraded.put(
                UPDATED_MILLIS,
                AttributeValue.fromN(Long.toString(Instant.parse(updatedAt.s()).toEpochMilli())));
        return upgraded;
    }

    private static AttributeDefinition attribute(String name, ScalarAttributeType type) {
        return AttributeDefinition.builder()
                .attributeName(name)
                .attributeType(type)
                .build();
    }

    private static KeySchemaElement key(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }
}
