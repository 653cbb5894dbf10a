package io.vodflow.transcode.local;

import io.smallrye.mutiny.Uni;
import io.vodflow.config.VodflowConfig;
import io.vodflow.transcode.JobTruth;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * What the local engine knows of its jobs beyond the queue, shared by every worker: whether a job was
 * canceled (through {@link LocalTranscoder#cancel}) or already ended by one of its runs, and which run
 * holds it now. The engine keeps one small item per job in vodflow's table under its own key
 * ({@code local-job#<jobId>}), so that it never reads or writes a video's record, as MediaConvert
 * never does.
 *
 * <p>A run holds a lease on its job, renewed at every heartbeat: a second copy of the job's message
 * (a duplicate submission, a redelivery while the first run is alive) cannot take the job while the
 * lease holds, so one job never runs twice at once. A run that dies lets its lease lapse; one that
 * stops in an orderly way or fails gives it back at once; one that cannot renew it (the table does
 * not answer) stops before it lapses, so that it never writes beside the run that takes the job next.
 *
 * <p>The job's failed runs are counted here too, with the job rather than in its message's receive
 * count: a run that failed, or whose lease lapsed because its worker died, counts; a run handed back
 * by a stopping worker does not, and neither does a duplicate or redriven message.
 */
@ApplicationScoped
class JobLedger {

    /** The table's partition key attribute. */
    private static final String KEY = "id";

    private static final String PREFIX = "local-job#";
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    /** Long after any run of the job could still be around; for a TTL on the table, when it has one. */
    private static final Duration KEEP = Duration.ofDays(30);

    private static final List<String> ATTRIBUTES =
            List.of("holder", "leaseUntil", "ended", "canceled", "finalEvent", "expiresAt", "failures", "queuedAt");

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
    /** How long a queued job may wait for a worker before the reconciler may submit it again. */
    private final Duration queueWait;

    JobLedger(DynamoDbAsyncClient dynamo, VodflowConfig config) {
        this.dynamo = dynamo;
        this.table = config.database().table();
        this.queueWait = config.reconciler().silence();
    }

    /** Records that the job's message was queued {@code at}, by its submission or a later one. */
    Uni<Void> queued(String jobId, Instant at) {
        return updating(
                        jobId,
                        "SET #queuedAt = :at, #expiresAt = :expires",
                        null,
                        Map.of(":at", number(at.toEpochMilli())),
                        ReturnValue.NONE)
                .replaceWithVoid();
    }

    /**
     * Marks the job canceled, even before it is queued (a preview canceled while it is being
     * submitted); an ended job stays ended, so that its kept final event is still sent.
     */
    Uni<Void> cancel(String jobId) {
        return updating(
                        jobId,
                        "SET #canceled = :now, #expiresAt = :expires",
                        "attribute_not_exists(#ended)",
                        Map.of(),
                        ReturnValue.NONE)
                .replaceWithVoid()
                .onFailure(ConditionalCheckFailedException.class)
                .recoverWithNull();
    }

    /**
     * Records that a run reported the job's end, with the final event it sent (COMPLETE, ERROR or
     * CANCELED), so that the reconciler can apply it should the event be lost; its lease goes with it.
     */
    void ended(String jobId, String finalEvent) {
        update(
                jobId,
                "SET #ended = :now, #finalEvent = :event, #expiresAt = :expires REMOVE #holder, #leaseUntil",
                null,
                Map.of(":event", AttributeValue.fromS(finalEvent)));
    }

    /**
     * How the job stands: ended with its final event, running under a live lease, or lost (its message
     * is gone, or has waited for a worker longer than the reconciler's silence: submitting it again is
     * safe either way, the lease sees to that). A job queued more recently counts as running: it may
     * wait for a free worker, and submitting it again would only queue a copy; so the reconciler
     * submits a waiting job again once per silence rather than at every round (two replicas whose
     * rounds meet may both do so). A canceled job counts as running: whoever canceled it removes its
     * video.
     */
    Uni<JobTruth> truth(String jobId) {
        return reading(jobId).map(item -> {
            if (item.containsKey("finalEvent")) {
                return JobTruth.ended(item.get("finalEvent").s());
            }
            long now = System.currentTimeMillis();
            boolean leased = after(item, "leaseUntil", now);
            boolean waiting = after(item, "queuedAt", now - queueWait.toMillis());
            return leased || waiting || item.containsKey("canceled") ? JobTruth.running() : JobTruth.lost();
        });
    }

    /** Whether the item has the time {@code attribute}, in epoch milliseconds, and it is after {@code millis}. */
    private static boolean after(Map<String, AttributeValue> item, String attribute, long millis) {
        return item.containsKey(attribute) && Long.parseLong(item.get(attribute).n()) > millis;
    }

    /**
     * A run that took the job: how many runs before it failed, its predecessor included when that one
     * died holding the lease.
     */
    record Taken(int failures) {}

    /**
     * Takes the job's lease for a new run of {@code runner}, until {@code lease} from now.
     *
     * @return empty when another run holds an unexpired lease, or the job was canceled or ended
     */
    Optional<Taken> take(String jobId, String runner, Duration lease) {
        Map<String, AttributeValue> before;
        try {
            before = await(leasing(jobId, runner, lease, ReturnValue.ALL_OLD));
        } catch (ConditionalCheckFailedException held) {
            return Optional.empty();
        }
        int failures = before.containsKey("failures")
                ? Integer.parseInt(before.get("failures").n())
                : 0;
        boolean predecessorDied =
                before.containsKey("holder") && !before.get("holder").s().equals(runner);
        if (predecessorDied) {
            update(jobId, "ADD #failures :one", null, Map.of(":one", number(1)));
            failures++;
        }
        return Optional.of(new Taken(failures));
    }

    /**
     * Renews the lease of {@code runner}'s run until {@code lease} from now.
     *
     * @return false when another run took the job over, or the job was canceled or ended
     */
    boolean renew(String jobId, String runner, Duration lease) {
        try {
            await(leasing(jobId, runner, lease, ReturnValue.NONE));
            return true;
        } catch (ConditionalCheckFailedException taken) {
            return false;
        }
    }

    private Uni<Map<String, AttributeValue>> leasing(String jobId, String runner, Duration lease, ReturnValue before) {
        long now = System.currentTimeMillis();
        return updating(
                        jobId,
                        "SET #holder = :runner, #leaseUntil = :until, #expiresAt = :expires",
                        "attribute_not_exists(#ended) AND attribute_not_exists(#canceled)"
                                + " AND (attribute_not_exists(#leaseUntil) OR #leaseUntil < :now OR #holder = :runner)",
                        Map.of(
                                ":runner", AttributeValue.fromS(runner),
                                ":until", number(now + lease.toMillis()),
                                ":now", number(now)),
                        before)
                .map(UpdateItemResponse::attributes);
    }

    /** The run failed: it counts, and the next run may take the job at once. */
    void failed(String jobId, String runner) {
        try {
            update(
                    jobId,
                    "SET #expiresAt = :expires REMOVE #holder, #leaseUntil ADD #failures :one",
                    "#holder = :runner",
                    Map.of(":runner", AttributeValue.fromS(runner), ":one", number(1)));
        } catch (ConditionalCheckFailedException notHeld) {
            // Another run took it over, or the job ended: that run's lease is not this one's to count.
        }
    }

    /**
     * Gives the lease back without counting the run (its worker is stopping), so that the next run
     * may take the job at once; a lease not held is left.
     */
    void release(String jobId, String runner) {
        try {
            update(
                    jobId,
                    "SET #expiresAt = :expires REMOVE #holder, #leaseUntil",
                    "#holder = :runner",
                    Map.of(":runner", AttributeValue.fromS(runner)));
        } catch (ConditionalCheckFailedException notHeld) {
            // Another run took it over, or the job ended: nothing to give back.
        }
    }

    /** On a worker thread: how the job stands now. */
    Standing standing(String jobId) {
        Map<String, AttributeValue> item = read(jobId);
        if (item.containsKey("canceled")) {
            return Standing.CANCELED;
        }
        return item.containsKey("ended") ? Standing.ENDED : Standing.WANTED;
    }

    /** On a worker thread: the final event a run of the job kept, if one ended it. */
    Optional<String> finalEvent(String jobId) {
        return Optional.ofNullable(read(jobId).get("finalEvent")).map(AttributeValue::s);
    }

    /** On a worker thread. */
    private Map<String, AttributeValue> read(String jobId) {
        return reading(jobId).await().atMost(DEADLINE);
    }

    private Uni<Map<String, AttributeValue>> reading(String jobId) {
        return Uni.createFrom()
                .completionStage(() -> dynamo.getItem(
                        get -> get.tableName(table).key(key(jobId)).consistentRead(true)))
                .map(response -> response.item());
    }

    /** On a worker thread: one conditional update of the job's item. */
    private void update(String jobId, String expression, String condition, Map<String, AttributeValue> values) {
        await(updating(jobId, expression, condition, values, ReturnValue.NONE));
    }

    /** On a worker thread; a refused condition fails as {@link ConditionalCheckFailedException}. */
    private static <T> T await(Uni<T> call) {
        try {
            return call.await().atMost(DEADLINE);
        } catch (CompletionException e) {
            throw e.getCause() instanceof ConditionalCheckFailedException refused ? refused : e;
        }
    }

    /**
     * Every update may use {@code :now} and {@code :expires} (when the item may go), and names its
     * attributes as {@code #name}: DynamoDB refuses names and values an expression does not use.
     */
    private Uni<UpdateItemResponse> updating(
            String jobId,
            String expression,
            String condition,
            Map<String, AttributeValue> values,
            ReturnValue returned) {
        String text = expression + " " + (condition == null ? "" : condition);
        Map<String, AttributeValue> all = new HashMap<>(values);
        all.putIfAbsent(":now", number(System.currentTimeMillis()));
        all.put(":expires", number(Instant.now().plus(KEEP).getEpochSecond()));
        all.keySet().removeIf(name -> !text.contains(name));
        Map<String, String> names = new HashMap<>();
        for (String attribute : ATTRIBUTES) {
            if (text.contains("#" + attribute)) {
                names.put("#" + attribute, attribute);
            }
        }
        return Uni.createFrom()
                .completionStage(() -> dynamo.updateItem(update -> update.tableName(table)
                        .key(key(jobId))
                        .updateExpression(expression)
                        .conditionExpression(condition)
                        .expressionAttributeNames(names)
                        .expressionAttributeValues(all)
                        .returnValues(returned)));
    }

    private static AttributeValue number(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    private static Map<String, AttributeValue> key(String jobId) {
        return Map.of(KEY, AttributeValue.fromS(PREFIX + jobId));
    }
}
