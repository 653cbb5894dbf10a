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
import java.util.Map;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * What one owner may start: videos in flight (counted through the in-flight index), bytes declared
 * per UTC day and creations per minute. Both counters live in one item per owner and day, under a
 * {@code usage#} key that expires after the day: the bytes in one attribute, the creations in one
 * attribute per minute of that day (at most 1,440 small numbers). A creation is counted in both with
 * one conditional update while its owner's videos in flight are counted, so it is refused with a 429
 * problem naming when to try again before the video is written, and concurrent creations cannot pass
 * either counter's limit; the in-flight count may be passed by creations racing each other. A
 * creation refused for its videos in flight is taken back from the counters; one that fails after
 * it was admitted still counts.
 */
@ApplicationScoped
class Quotas {

    private static final Logger LOG = Logger.getLogger(Quotas.class);
    private static final String KEY = "id";
    private static final String BYTES = "bytes";
    private static final Duration IN_FLIGHT_RETRY = Duration.ofMinutes(1);
    private static final DateTimeFormatter MINUTE =
            DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    /** What the owner used of each quota. */
    record Usage(int videosInFlight, long bytesToday, long creationsThisMinute) {}

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
        // Both at once, one round trip instead of two: a creation refused for its videos in flight
        // takes back what it counted.
        Uni<Boolean> counted = count(owner, sizeBytes, 1, now)
                .replaceWith(true)
                .onFailure(ConditionalCheckFailedException.class)
                .recoverWithItem(false);
        return Uni.combine()
                .all()
                .unis(videos.countInFlight(owner), counted)
                .asTuple()
                .flatMap(checks -> {
                    int inFlight = checks.getItem1();
                    boolean admitted = checks.getItem2();
                    if (inFlight >= limits.videosInFlight()) {
                        return tooManyInFlight(owner, inFlight, admitted, sizeBytes, now);
                    }
                    return admitted ? Uni.createFrom().voidItem() : overCounter(owner, now);
                });
    }

    /** The refusal for the videos in flight, once the creation, if it was counted, is taken back. */
    private Uni<Void> tooManyInFlight(String owner, int inFlight, boolean counted, long sizeBytes, Instant now) {
        Uni<Void> takenBack = !counted
                ? Uni.createFrom().voidItem()
                : count(owner, -sizeBytes, -1, now)
                        .onFailure()
                        .invoke(e -> LOG.warnf(
                                "Could not take back a refused creation from the quotas of %s: %s",
                                owner, e.toString()))
                        .onFailure()
                        .recoverWithNull();
        return takenBack.map(ignored -> {
            throw ApiProblem.overQuota(
                    "You have " + inFlight + " videos in flight, the most allowed; wait until one is"
                            + " COMPLETE, ERROR or CANCELED, or delete one",
                    IN_FLIGHT_RETRY);
        });
    }

    /** The refusal for whichever counter is full. */
    private Uni<Void> overCounter(String owner, Instant now) {
        return read(owner, now).map(used -> {
            throw used.creationsThisMinute() + 1 > limits.creationsPerMinute()
                    ? ApiProblem.overQuota(
                            "You created " + limits.creationsPerMinute() + " videos this minute, the most allowed",
                            untilNextMinute(now))
                    : ApiProblem.overQuota(
                            "This upload would take you past the "
                                    + limits.bytesPerDay().asLongValue() + " bytes you may declare today (UTC)",
                            untilTomorrow(now));
        });
    }

    Uni<Usage> usage(Caller caller, Instant now) {
        String owner = caller.subject();
        return Uni.combine()
                .all()
                .unis(videos.countInFlight(owner), read(owner, now))
                .with((inFlight, used) -> new Usage(inFlight, used.bytesToday(), used.creationsThisMinute()));
    }

    /**
     * Adds the bytes and creations, unless either counter would pass its limit; negative amounts take
     * a creation back, which never passes a limit.
     */
    private Uni<Void> count(String owner, long bytes, int creations, Instant now) {
        long bytesRoom = limits.bytesPerDay().asLongValue() - bytes;
        long creationsRoom = limits.creationsPerMinute() - (long) creations;
        return Uni.createFrom()
                .completionStage(() -> dynamo.updateItem(update -> update.tableName(table)
                        .key(key(owner, now))
                        .updateExpression("ADD #bytes :bytes, #minute :creations SET #expires = :expires")
                        .conditionExpression("(attribute_not_exists(#bytes) OR #bytes <= :bytesRoom)"
                                + " AND (attribute_not_exists(#minute) OR #minute <= :creationsRoom)")
                        .expressionAttributeNames(
                                Map.of("#bytes", BYTES, "#minute", minute(now), "#expires", "expiresAt"))
                        .expressionAttributeValues(Map.of(
                                ":bytes", number(bytes),
                                ":creations", number(creations),
                                ":bytesRoom", number(bytesRoom),
                                ":creationsRoom", number(creationsRoom),
                                ":expires", number(now.plus(Duration.ofDays(2)).getEpochSecond())))))
                .replaceWithVoid();
    }

    /** The owner's counters now; the in-flight count is not among them. */
    private Uni<Usage> read(String owner, Instant now) {
        return Uni.createFrom()
                .completionStage(() -> dynamo.getItem(
                        get -> get.tableName(table).key(key(owner, now)).consistentRead(true)))
                .map(response -> new Usage(0, counter(response.item(), BYTES), counter(response.item(), minute(now))));
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
