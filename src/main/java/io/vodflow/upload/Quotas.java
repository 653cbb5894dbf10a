package io.vodflow.upload;

import io.smallrye.mutiny.Uni;
import io.vodflow.config.VodflowConfig;
import io.vodflow.problem.ApiProblem;
import io.vodflow.security.Caller;
import io.vodflow.video.VideoRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * What one owner may start: videos in flight, bytes declared per UTC day and creations per minute.
 * The counters live in one item per owner and day, under a {@code usage#} key that expires after the
 * day: the bytes in one attribute, the creations in one attribute per minute of that day (at most
 * 1,440 small numbers), and a bound on the videos in flight: those in flight when it was last
 * recounted from the in-flight index, plus every creation since. Videos leave flight without
 * touching it, so it only errs high. A creation is counted in all three with one conditional update
 * while each has room: one DynamoDB call before the video is written. When the bound reaches the
 * limit, and at an owner's first creation of the day, the index is read for the real number, which
 * either resets the bound or refuses the creation. A refusal is a 429 problem naming when to try
 * again, before anything is counted or written. Concurrent creations cannot pass the bytes or
 * creations limits. Of concurrent recounts only one sets the bound; the others start over. The
 * in-flight limit may still be passed by a creation whose recount ran before another's video was
 * written and indexed, a round trip or two after that one was counted.
 */
@ApplicationScoped
class Quotas {

    private static final Logger LOG = Logger.getLogger(Quotas.class);
    private static final String KEY = "id";
    private static final String BYTES = "bytes";
    private static final String IN_FLIGHT = "inFlight";
    /** How often the bound was set from a recount: a recount replaces the bound only as it read it. */
    private static final String RECOUNTS = "inFlightRecounts";
    /** Attempts after the first when recounts keep losing to other creations of the same owner. */
    private static final int CONTENDED_RETRIES = 3;
    /**
     * The first wait before such an attempt, growing with each: time for the creation that won to
     * write its video, which the next recount then counts.
     */
    private static final Duration CONTENDED_BACKOFF = Duration.ofMillis(20);

    private static final Duration IN_FLIGHT_RETRY = Duration.ofMinutes(1);
    private static final Duration CONTENDED_RETRY = Duration.ofSeconds(1);
    /** Room in the day's bytes and the minute's creations; every count is conditioned on it. */
    private static final String ROOM = "(attribute_not_exists(#bytes) OR #bytes <= :bytesRoom)"
            + " AND (attribute_not_exists(#minute) OR #minute <= :creationsRoom)";
    /** Counted with the bound grown by one, while it is under the limit. */
    private static final String GROW = "ADD #bytes :bytes, #minute :one, #inFlight :one SET #expires = :expires";

    private static final String GROW_CONDITION = ROOM + " AND #inFlight < :inFlightLimit";
    /**
     * Counted with the bound set from a recount, while no other creation changed it: neither grew it
     * nor set it from a recount of its own, which may have read the same number.
     */
    private static final String RESET =
            "ADD #bytes :bytes, #minute :one, #recounts :one SET #inFlight = :counted, #expires = :expires";

    private static final String FIRST_CONDITION = ROOM + " AND attribute_not_exists(#inFlight)";
    private static final String RESET_CONDITION = ROOM + " AND #inFlight = :replacing AND #recounts = :recounts";
    private static final String FIRST_RESET_CONDITION =
            ROOM + " AND #inFlight = :replacing AND attribute_not_exists(#recounts)";

    private static final DateTimeFormatter MINUTE =
            DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    /** What the owner used of each quota. */
    record Usage(int videosInFlight, long bytesToday, long creationsThisMinute) {}

    /**
     * The counters as stored; {@code inFlightBound} is null until the day's first recount, {@code
     * recounts} until the first that replaced a bound.
     */
    private record Counters(long bytesToday, long creationsThisMinute, Long inFlightBound, Long recounts) {}

    /** A recount's result: the videos in flight, and the counters it read (the bound it replaces). */
    private record Recount(int inFlight, Counters read) {}

    private final VideoRepository videos;
    private final DynamoDbAsyncClient dynamo;
    private final String table;
    private final VodflowConfig.Quotas limits;

    Quotas(VideoRepository videos, DynamoDbAsyncClient dynamo, VodflowConfig config) {
        this.videos = videos;
        this.dynamo = dynamo;
        this.table = config.database().table();
        this.limits = config.quotas();
    }

    /**
     * Counts one creation of {@code sizeBytes} for the caller.
     *
     * @throws ApiProblem (as the Uni's failure) 429 with the time to wait when a quota is used up
     */
    Uni<Void> admit(Caller caller, long sizeBytes, Instant now) {
        String owner = caller.subject();
        // A recount that lost to another creation starts over: the bound it raced may have room now.
        return count(owner, sizeBytes, now, null)
                .onFailure(ConditionalCheckFailedException.class)
                .recoverWithUni(() -> recount(owner, sizeBytes, now))
                .onFailure(ConditionalCheckFailedException.class)
                .retry()
                .withBackOff(CONTENDED_BACKOFF, CONTENDED_BACKOFF.multipliedBy(10))
                .atMost(CONTENDED_RETRIES)
                .onFailure(ConditionalCheckFailedException.class)
                .transform(e ->
                        ApiProblem.overQuota("Too many of your creations are being counted at once", CONTENDED_RETRY));
    }

    /**
     * A counter is full, or the bound on the videos in flight reached the limit or is not there yet:
     * the refusal for whichever quota is used up, else the creation counted with the bound reset
     * from the in-flight index. Fails with {@link ConditionalCheckFailedException} when another
     * creation changed the counters meanwhile.
     */
    private Uni<Void> recount(String owner, long sizeBytes, Instant now) {
        return Uni.combine()
                .all()
                .unis(videos.countInFlight(owner), read(owner, now))
                .asTuple()
                .flatMap(found -> {
                    int inFlight = found.getItem1();
                    Counters counters = found.getItem2();
                    if (inFlight >= limits.videosInFlight()) {
                        throw ApiProblem.overQuota(
                                "You have " + inFlight + " videos in flight, the most allowed; wait until one is"
                                        + " COMPLETE, ERROR or CANCELED, or delete one",
                                IN_FLIGHT_RETRY);
                    }
                    if (counters.creationsThisMinute() + 1 > limits.creationsPerMinute()) {
                        throw ApiProblem.overQuota(
                                "You created " + limits.creationsPerMinute() + " videos this minute, the most allowed",
                                untilNextMinute(now));
                    }
                    if (counters.bytesToday() + sizeBytes > limits.bytesPerDay().asLongValue()) {
                        throw ApiProblem.overQuota(
                                "This upload would take you past the "
                                        + limits.bytesPerDay().asLongValue() + " bytes you may declare today (UTC)",
                                untilTomorrow(now));
                    }
                    return count(owner, sizeBytes, now, new Recount(inFlight, counters));
                });
    }

    /**
     * Gives back the bytes of a creation counted at {@code now} that then failed (storage or the
     * database answering 503): a client retrying through an outage must not use up its day. The
     * creation itself still counts for its minute, which soon passes, and for the in-flight bound,
     * which only errs high. A failure to give back is logged, not passed on: the creation's own
     * failure is what its caller hears.
     */
    Uni<Void> giveBack(Caller caller, long sizeBytes, Instant now) {
        return Uni.createFrom()
                .completionStage(() -> dynamo.updateItem(request -> request.tableName(table)
                        .key(key(caller.subject(), now))
                        .updateExpression("ADD #bytes :returned")
                        .conditionExpression("attribute_exists(#bytes)")
                        .expressionAttributeNames(Map.of("#bytes", BYTES))
                        .expressionAttributeValues(Map.of(":returned", number(-sizeBytes)))))
                .replaceWithVoid()
                .onFailure()
                .invoke(e -> LOG.warnf(
                        "Could not give back the %d bytes of a failed creation of %s: %s",
                        sizeBytes, caller.subject(), e.toString()))
                .onFailure()
                .recoverWithNull();
    }

    Uni<Usage> usage(Caller caller, Instant now) {
        String owner = caller.subject();
        return Uni.combine()
                .all()
                .unis(videos.countInFlight(owner), read(owner, now))
                .with((inFlight, used) -> new Usage(inFlight, used.bytesToday(), used.creationsThisMinute()));
    }

    /**
     * Counts the creation unless a counter would pass its limit: with the in-flight bound grown by
     * one while it is under the limit, or, after a recount, set from it while no other creation
     * changed it.
     */
    private Uni<Void> count(String owner, long bytes, Instant now, Recount recount) {
        Map<String, String> names = new HashMap<>(
                Map.of("#bytes", BYTES, "#minute", minute(now), "#inFlight", IN_FLIGHT, "#expires", "expiresAt"));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(
                ":bytes", number(bytes),
                ":one", number(1),
                ":bytesRoom", number(limits.bytesPerDay().asLongValue() - bytes),
                ":creationsRoom", number(limits.creationsPerMinute() - 1L),
                ":expires", number(now.plus(Duration.ofDays(2)).getEpochSecond())));
        String update;
        String condition;
        if (recount == null) {
            update = GROW;
            // False while the bound is missing: the day's first creation recounts.
            condition = GROW_CONDITION;
            values.put(":inFlightLimit", number(limits.videosInFlight()));
        } else {
            update = RESET;
            names.put("#recounts", RECOUNTS);
            values.put(":counted", number(recount.inFlight() + 1L));
            Counters read = recount.read();
            if (read.inFlightBound() == null) {
                condition = FIRST_CONDITION;
            } else {
                values.put(":replacing", number(read.inFlightBound()));
                if (read.recounts() == null) {
                    condition = FIRST_RESET_CONDITION;
                } else {
                    condition = RESET_CONDITION;
                    values.put(":recounts", number(read.recounts()));
                }
            }
        }
        return Uni.createFrom()
                .completionStage(() -> dynamo.updateItem(request -> request.tableName(table)
                        .key(key(owner, now))
                        .updateExpression(update)
                        .conditionExpression(condition)
                        .expressionAttributeNames(names)
                        .expressionAttributeValues(values)))
                .replaceWithVoid();
    }

    /** The owner's counters now. */
    private Uni<Counters> read(String owner, Instant now) {
        return Uni.createFrom()
                .completionStage(() -> dynamo.getItem(
                        get -> get.tableName(table).key(key(owner, now)).consistentRead(true)))
                .map(response -> {
                    Map<String, AttributeValue> item = response.item();
                    return new Counters(
                            counter(item, BYTES),
                            counter(item, minute(now)),
                            optional(item, IN_FLIGHT),
                            optional(item, RECOUNTS));
                });
    }

    private static Long optional(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : Long.parseLong(value.n());
    }

    private static long counter(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? 0 : Long.parseLong(value.n());
    }

    private static Map<String, AttributeValue> key(String owner, Instant now) {
        String day = now.truncatedTo(ChronoUnit.DAYS)
                .atOffset(ZoneOffset.UTC)
                .toLocalDate()
                .toString();
        return Map.of(KEY, AttributeValue.fromS("usage#" + owner + "#" + day));
    }

    private static String minute(Instant now) {
        return "creations@" + MINUTE.format(now);
    }

    private static Duration untilNextMinute(Instant now) {
        return Duration.between(now, now.truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1)));
    }

    private static Duration untilTomorrow(Instant now) {
        return Duration.between(now, now.truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(1)));
    }

    private static AttributeValue number(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
