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
import java.time.temporal.ChronoUnit;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * What one owner may start: videos in flight (counted through the in-flight index), bytes declared
 * per UTC day and creations per minute (counters in vodflow's table, under {@code usage#} keys that
 * expire with their window). A creation over a limit is refused with a 429 problem naming when to
 * try again, before anything is written; counters are taken with conditional updates, so concurrent
 * creations cannot pass a counter's limit, while the in-flight count may be passed by creations
 * racing each other. A creation that fails after it was admitted still counts.
 */
@ApplicationScoped
class Quotas {

    private static final String KEY = "id";
    private static final Duration IN_FLIGHT_RETRY = Duration.ofMinutes(1);

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
        return videos.countInFlight(owner)
                .invoke(inFlight -> {
                    if (inFlight >= limits.videosInFlight()) {
                        throw ApiProblem.overQuota(
                                "You have " + inFlight + " videos in flight, the most allowed; wait until one is"
                                        + " COMPLETE, ERROR or CANCELED, or delete one",
                                IN_FLIGHT_RETRY);
                    }
                })
                .flatMap(ignored -> add(minute(owner, now), "creations", 1, limits.creationsPerMinute(), now)
                        .onFailure(ConditionalCheckFailedException.class)
                        .transform(full -> ApiProblem.overQuota(
                                "You created " + limits.creationsPerMinute() + " videos this minute, the most allowed",
                                untilNextMinute(now))))
                .flatMap(ignored -> add(
                                day(owner, now),
                                "bytes",
                                sizeBytes,
                                limits.bytesPerDay().asLongValue(),
                                now)
                        .onFailure(ConditionalCheckFailedException.class)
                        .call(full -> add(minute(owner, now), "creations", -1, Long.MAX_VALUE, now))
                        .onFailure(ConditionalCheckFailedException.class)
                        .transform(full -> ApiProblem.overQuota(
                                "This upload would take you past the "
                                        + limits.bytesPerDay().asLongValue() + " bytes you may declare today (UTC)",
                                untilTomorrow(now))));
    }

    Uni<Usage> usage(Caller caller, Instant now) {
        String owner = caller.subject();
        return Uni.combine()
                .all()
                .unis(
                        videos.countInFlight(owner),
                        read(day(owner, now), "bytes"),
                        read(minute(owner, now), "creations"))
                .with(Usage::new);
    }

    /** Adds {@code amount} to a counter, unless it would pass {@code max}. */
    private Uni<Void> add(String key, String counter, long amount, long max, Instant now) {
        Instant expires = now.plus(Duration.ofDays(2));
        return Uni.createFrom()
                .completionStage(() -> dynamo.updateItem(update -> update.tableName(table)
                        .key(Map.of(KEY, AttributeValue.fromS(key)))
                        .updateExpression("ADD #counter :amount SET #expires = :expires")
                        .conditionExpression("attribute_not_exists(#counter) OR #counter <= :room")
                        .expressionAttributeNames(Map.of("#counter", counter, "#expires", "expiresAt"))
                        .expressionAttributeValues(Map.of(
                                ":amount", number(amount),
                                ":room", number(max == Long.MAX_VALUE ? max : max - amount),
                                ":expires", number(expires.getEpochSecond())))))
                .replaceWithVoid();
    }

    private Uni<Long> read(String key, String counter) {
        return Uni.createFrom()
                .completionStage(() -> dynamo.getItem(get -> get.tableName(table)
                        .key(Map.of(KEY, AttributeValue.fromS(key)))
                        .consistentRead(true)))
                .map(response -> response.hasItem() && response.item().containsKey(counter)
                        ? Long.parseLong(response.item().get(counter).n())
                        : 0L);
    }

    private static String day(String owner, Instant now) {
        return "usage#" + owner + "#"
                + now.truncatedTo(ChronoUnit.DAYS).atOffset(ZoneOffset.UTC).toLocalDate();
    }

    private static String minute(String owner, Instant now) {
        return "usage#" + owner + "#" + now.truncatedTo(ChronoUnit.MINUTES);
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
