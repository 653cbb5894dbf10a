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
 * newest first, an index listing one owner's videos newest first, a sparse index of each owner's
 * videos in flight (for the quota), an index finding a video by its transcoding job id, and a sparse index of the videos
 * not yet in a terminal status, oldest change first, for the reconciler. The embedded DynamoDB is
 * created from this; on AWS the same definition is in the CDK stack ({@code aws/lib/vodflow-stack.js}).
 */
public final class VideoTable {

    public static final String ID = "id";
    /** Same value on every item, so that one index partition lists all videos by creation time. */
    public static final String LIST_KEY = "listKey";

    /** Creation time in epoch milliseconds, the sort key of the listing index. */
    public static final String CREATED_MILLIS = "createdMillis";
    /** The subject of the video's owner (Video.owner), the partition of the owner index. */
    public static final String OWNER = "owner";
    /** The owner again, on videos not yet COMPLETE, ERROR or CANCELED only: the in-flight index. */
    public static final String IN_FLIGHT_OWNER = "inFlightOwner";
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
    public static final String BY_OWNER_INDEX = "byOwner";
    public static final String BY_JOB_INDEX = "byJob";
    public static final String IN_FLIGHT_INDEX = "inFlight";
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
                        attribute(OWNER, ScalarAttributeType.S),
                        attribute(IN_FLIGHT_OWNER, ScalarAttributeType.S),
                        attribute(JOB_ID, ScalarAttributeType.S),
                        attribute(PENDING_KEY, ScalarAttributeType.S),
                        attribute(UPDATED_MILLIS, ScalarAttributeType.N))
                .keySchema(key(ID, KeyType.HASH))
                .globalSecondaryIndexes(
                        index(
                                BY_CREATION_INDEX,
                                ProjectionType.ALL,
                                key(LIST_KEY, KeyType.HASH),
                                key(CREATED_MILLIS, KeyType.RANGE)),
                        index(
                                BY_OWNER_INDEX,
                                ProjectionType.ALL,
                                key(OWNER, KeyType.HASH),
                                key(CREATED_MILLIS, KeyType.RANGE)),
                        index(IN_FLIGHT_INDEX, ProjectionType.KEYS_ONLY, key(IN_FLIGHT_OWNER, KeyType.HASH)),
                        index(BY_JOB_INDEX, ProjectionType.KEYS_ONLY, key(JOB_ID, KeyType.HASH)),
                        index(
                                PENDING_INDEX,
                                ProjectionType.KEYS_ONLY,
                                key(PENDING_KEY, KeyType.HASH),
                                key(UPDATED_MILLIS, KeyType.RANGE)))
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

    private static GlobalSecondaryIndex index(String name, ProjectionType projection, KeySchemaElement... keys) {
        return GlobalSecondaryIndex.builder()
                .indexName(name)
                .keySchema(keys)
                .projection(Projection.builder().projectionType(projection).build())
                .build();
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
