package io.vodflow.transcode.local;

import io.smallrye.mutiny.Uni;
import io.vodflow.config.VodflowConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * What the local engine knows of its jobs beyond the queue, shared by every worker: whether a job was
 * canceled (through {@link LocalTranscoder#cancel}) or already ended by one of its runs. The engine
 * keeps one small item per job in vodflow's table under its own key ({@code local-job#<jobId>}), so
 * that it never reads or writes a video's record, as MediaConvert never does.
 */
@ApplicationScoped
class JobLedger {

    /** The table's partition key attribute. */
    private static final String KEY = "id";

    private static final String PREFIX = "local-job#";
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    /** Long after any run of the job could still be around; for a TTL on the table, when it has one. */
    private static final Duration KEEP = Duration.ofDays(30);

    /** How a job stands. */
    enum Standing {
        /** Nobody stopped it: run it. */
        WANTED,
        /** Its video was deleted or gave it up: nobody wants its outputs. */
        CANCELED,
        /** One of its runs already reported its end: the outputs are that run's. */
        ENDED
    }

    private final DynamoDbAsyncClient dynamo;
    private final String table;

    JobLedger(DynamoDbAsyncClient dynamo, VodflowConfig config) {
        this.dynamo = dynamo;
        this.table = config.database().table();
    }

    Uni<Void> cancel(String jobId) {
        return mark(jobId, "canceled");
    }

    /** Records that a run reported the job's end (COMPLETE, ERROR or CANCELED). */
    void ended(String jobId) {
        mark(jobId, "ended").await().atMost(DEADLINE);
    }

    /** On a worker thread: how the job stands now. */
    Standing standing(String jobId) {
        Map<String, AttributeValue> item = Uni.createFrom()
                .completionStage(() -> dynamo.getItem(
                        get -> get.tableName(table).key(key(jobId)).consistentRead(true)))
                .map(response -> response.item())
                .await()
                .atMost(DEADLINE);
        if (item.containsKey("canceled")) {
            return Standing.CANCELED;
        }
        return item.containsKey("ended") ? Standing.ENDED : Standing.WANTED;
    }

    private Uni<Void> mark(String jobId, String attribute) {
        return Uni.createFrom()
                .completionStage(() -> dynamo.updateItem(update -> update.tableName(table)
                        .key(key(jobId))
                        .updateExpression("SET #mark = :at, #expires = :expires")
                        .expressionAttributeNames(Map.of("#mark", attribute, "#expires", "expiresAt"))
                        .expressionAttributeValues(Map.of(
                                ":at",
                                AttributeValue.fromS(Instant.now().toString()),
                                ":expires",
                                AttributeValue.fromN(
                                        Long.toString(Instant.now().plus(KEEP).getEpochSecond()))))))
                .replaceWithVoid();
    }

    private static Map<String, AttributeValue> key(String jobId) {
        return Map.of(KEY, AttributeValue.fromS(PREFIX + jobId));
    }
}
