package io.vodflow.video;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vodflow.config.VodflowConfig;
import io.vodflow.media.MediaInfo;
import io.vodflow.media.RenditionLimits;
import io.vodflow.problem.ApiProblem;
import io.vodflow.security.Caller;
import io.vodflow.storage.VideoKeys;
import io.vodflow.support.SharedReads;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.reactivestreams.FlowAdapters;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.Select;

/**
 * Videos in DynamoDB. Every write is conditional: a new video only if its id is free, a change only
 * over the version it was computed from. Async SDK calls are wrapped lazily, so a retried
 * {@link Uni} sends a new request. Every successful write fires a {@link VideoChanged} event.
 */
@ApplicationScoped
// Stored through Jackson: native executables need these records registered for reflection.
@RegisterForReflection(
        targets = {
            Video.class,
            Video.Source.class,
            RenditionLimits.class,
            Video.Claim.class,
            MediaInfo.class,
            Video.Job.class,
            Video.Outputs.class,
            Video.Playable.class,
            Video.Rendition.class,
            Video.Failure.class
        })
public class VideoRepository {

    /** The single partition of the listing index. */
    private static final String LIST_PARTITION = "video";

    private static final ObjectMapper CURSOR_JSON = new ObjectMapper();
    private static final int MAX_CONFLICT_RETRIES = 20;
    /** How often a batched read asks again for the keys DynamoDB left unprocessed. */
    private static final int BATCH_RETRIES = 4;
    /** The attribute of {@link Video#deletingAt()}. */
    private static final String DELETING_AT = "deletingAt";

    private final DynamoDbAsyncClient dynamo;
    private final String table;
    private final ObjectMapper json;
    private final Event<VideoChanged> changes;
    private final SharedReads<String, Video> reads = new SharedReads<>(this::read);

    VideoRepository(DynamoDbAsyncClient dynamo, VodflowConfig config, ObjectMapper json, Event<VideoChanged> changes) {
        this.dynamo = dynamo;
        this.changes = changes;
        this.table = config.database().table();
        // A private copy: REST customisations of the shared mapper must not change the stored format.
        this.json = json.copy()
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /** Stores a new video; fails with {@link ConditionalCheckFailedException} if the id is taken. */
    public Uni<Video> insert(Video video) {
        return Uni.createFrom()
                .completionStage(() -> dynamo.putItem(request -> request.tableName(table)
                        .item(toItem(video))
                        .conditionExpression("attribute_not_exists(#id)")
                        .expressionAttributeNames(Map.of("#id", VideoTable.ID))))
                .replaceWith(video)
                .invoke(stored -> changes.fire(new VideoChanged(null, stored)));
    }

    /**
     * The video with this id, for an API call by {@code caller}: a video being deleted is gone for
     * its users already.
     *
     * @throws ApiProblem (as the Uni's failure) 404 when there is no such video
     */
    public Uni<Video> get(String id, Caller caller) {
        return reach(id, caller).invoke(video -> {
            if (video.isDeleting()) {
                throw notFound(id);
            }
        });
    }

    /**
     * The video with this id if {@code caller} may reach it, one being deleted included (a second
     * delete finishes the first). Someone else's video does not exist for a caller who may not reach
     * it, so that its existence is not revealed either.
     *
     * @throws ApiProblem (as the Uni's failure) 404 when there is no such video
     */
    public Uni<Video> reach(String id, Caller caller) {
        Uni<Video> found = VideoKeys.isValidId(id) ? find(id) : Uni.createFrom().nullItem();
        return found.onItem()
                .ifNotNull()
                .transform(video -> caller.reaches(video.owner()) ? video : null)
                .onItem()
                .ifNull()
                .failWith(() -> notFound(id));
    }

    private static ApiProblem notFound(String id) {
        return ApiProblem.notFound("There is no video " + id);
    }

    /**
     * The video with this id, or null. Reads are strongly consistent, and shared by the callers asking
     * for one video at once (each still sees every write that ended before it asked): ten thousand
     * viewers opening a video's events within seconds cost one read of its item at a time, each
     * serving everyone who asked while the one before was under way, not twenty thousand reads, which
     * would hold back every other call to the table here and exceed what one item serves on AWS.
     */
    public Uni<Video> find(String id) {
        return reads.get(id);
    }

    private Uni<Video> read(String id) {
        return Uni.createFrom()
                .completionStage(() -> dynamo.getItem(request -> request.tableName(table)
                        .key(Map.of(VideoTable.ID, AttributeValue.fromS(id)))
                        .consistentRead(true)))
                .map(response -> response.hasItem() && !response.item().isEmpty() ? fromItem(response.item()) : null);
    }

    /**
     * Applies a change to the current video and writes it over the version it was computed from. When
     * another writer got there first, the change is applied again to the newer video, so a change that
     * depends on the current state (a status transition, a progress that only grows) stays correct.
     *
     * @param change returns the next version, or its argument unchanged when there is nothing to write
     * @return the video as stored after the change, or null if there is no such video
     */
    public Uni<Video> update(String id, UnaryOperator<Video> change) {
        return find(id).onItem()
                .ifNotNull()
                .transformToUni(current -> {
                    Video next = change.apply(current);
                    return next == current ? Uni.createFrom().item(current) : replace(current, next);
                })
                .onFailure(ConditionalCheckFailedException.class)
                .retry()
                .withBackOff(Duration.ofMillis(5), Duration.ofMillis(200))
                .atMost(MAX_CONFLICT_RETRIES);
    }

    private Uni<Video> replace(Video current, Video next) {
        return Uni.createFrom()
                .completionStage(() -> dynamo.putItem(request -> request.tableName(table)
                        .item(toItem(next))
                        .conditionExpression("#version = :expected")
                        .expressionAttributeNames(Map.of("#version", VideoTable.VERSION))
                        .expressionAttributeValues(
                                Map.of(":expected", AttributeValue.fromN(Long.toString(current.version()))))))
                .replaceWith(next)
                .invoke(stored -> changes.fire(new VideoChanged(current, stored)));
    }

    /** Removes the record; nothing happens if it is already gone. */
    public Uni<Void> delete(String id) {
        return Uni.createFrom()
                .completionStage(() -> dynamo.deleteItem(
                        request -> request.tableName(table).key(Map.of(VideoTable.ID, AttributeValue.fromS(id)))))
                .replaceWithVoid();
    }

    /**
     * The videos with these ids that exist, read consistently, in batches of 100. Every id is answered:
     * an id missing from the result has no video, and keys DynamoDB leaves unprocessed (under load)
     * are read again, a few times, before the read fails.
     */
    public Uni<List<Video>> findAll(Collection<String> ids) {
        List<String> all = List.copyOf(ids);
        List<Uni<List<Video>>> batches = new ArrayList<>();
        for (int from = 0; from < all.size(); from += 100) {
            List<Map<String, AttributeValue>> keys = all.subList(from, Math.min(all.size(), from + 100)).stream()
                    .map(id -> Map.of(VideoTable.ID, AttributeValue.fromS(id)))
                    .toList();
            batches.add(readBatch(keys, 0));
        }
        if (batches.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return Uni.join().all(batches).andFailFast().map(lists -> lists.stream()
                .flatMap(List::stream)
                .toList());
    }

    private Uni<List<Video>> readBatch(List<Map<String, AttributeValue>> keys, int retry) {
        return Uni.createFrom()
                .completionStage(() -> dynamo.batchGetItem(request -> request.requestItems(Map.of(
                        table,
                        KeysAndAttributes.builder()
                                .keys(keys)
                                .consistentRead(true)
                                .build()))))
                .flatMap(response -> {
                    List<Video> found = response.responses().getOrDefault(table, List.of()).stream()
                            .map(this::fromItem)
                            .toList();
                    KeysAndAttributes unprocessed = response.unprocessedKeys().get(table);
                    if (unprocessed == null || unprocessed.keys().isEmpty()) {
                        return Uni.createFrom().item(found);
                    }
                    if (retry == BATCH_RETRIES) {
                        return Uni.createFrom()
                                .failure(new IllegalStateException(
                                        unprocessed.keys().size() + " videos left unprocessed after " + BATCH_RETRIES
                                                + " retries"));
                    }
                    // Backing off, as the SDK does for throttled calls: unprocessed keys mean the table is busy.
                    return Uni.createFrom()
                            .voidItem()
                            .onItem()
                            .delayIt()
                            .by(Duration.ofMillis(50L << retry))
                            .flatMap(ignored -> readBatch(unprocessed.keys(), retry + 1))
                            .map(rest -> {
                                List<Video> both = new ArrayList<>(found);
                                both.addAll(rest);
                                return both;
                            });
                });
    }

    /** The id of the video whose job this is, or null. */
    public Uni<String> findIdByJobId(String jobId) {
        return Uni.createFrom()
                .completionStage(() -> dynamo.query(request -> request.tableName(table)
                        .indexName(VideoTable.BY_JOB_INDEX)
                        .keyConditionExpression("#job = :job")
                        .expressionAttributeNames(Map.of("#job", VideoTable.JOB_ID))
                        .expressionAttributeValues(Map.of(":job", AttributeValue.fromS(jobId)))))
                .map(response -> response.items().isEmpty()
                        ? null
                        : response.items().get(0).get(VideoTable.ID).s());
    }

    /**
     * Ids of videos not yet in a terminal status, or being deleted, whose last change is older than {@code before},
     * oldest first, read page by page as the subscriber asks for them.
     */
    public Multi<String> pendingSince(Instant before) {
        return Multi.createFrom()
                .publisher(FlowAdapters.toFlowPublisher(dynamo.queryPaginator(request -> request.tableName(table)
                                .indexName(VideoTable.PENDING_INDEX)
                                .keyConditionExpression("#pending = :pending AND #updated < :before")
                                .expressionAttributeNames(Map.of(
                                        "#pending", VideoTable.PENDING_KEY, "#updated", VideoTable.UPDATED_MILLIS))
                                .expressionAttributeValues(Map.of(
                                        ":pending", AttributeValue.fromS(VideoTable.PENDING),
                                        ":before", AttributeValue.fromN(Long.toString(before.toEpochMilli())))))
                        .items()))
                .map(item -> item.get(VideoTable.ID).s());
    }

    /**
     * How many of the owner's videos are not yet COMPLETE, ERROR or CANCELED (nor being deleted), as
     * far as one page of the in-flight index goes: a page holds thousands of keys, far past any quota.
     */
    public Uni<Integer> countInFlight(String owner) {
        return Uni.createFrom()
                .completionStage(() -> dynamo.query(request -> request.tableName(table)
                        .indexName(VideoTable.IN_FLIGHT_INDEX)
                        .keyConditionExpression("#owner = :owner")
                        .expressionAttributeNames(Map.of("#owner", VideoTable.IN_FLIGHT_OWNER))
                        .expressionAttributeValues(Map.of(":owner", AttributeValue.fromS(owner)))
                        .select(Select.COUNT)))
                .map(QueryResponse::count);
    }

    /** One page of videos, newest first. */
    public record Page(List<Video> videos, String nextCursor) {}

    /**
     * Lists videos newest first: one owner's through the owner index, or every video through the
     * listing index.
     *
     * @param owner whose videos, or null for every video
     * @param cursor the {@code nextCursor} of the previous page of the same listing, or null for the
     *     first page
     * @throws IllegalArgumentException if the cursor was not issued by this listing
     */
    public Uni<Page> list(String owner, int limit, String cursor) {
        Listing listing = owner == null
                ? new Listing(VideoTable.BY_CREATION_INDEX, VideoTable.LIST_KEY, LIST_PARTITION)
                : new Listing(VideoTable.BY_OWNER_INDEX, VideoTable.OWNER, owner);
        Map<String, AttributeValue> startKey = cursor == null ? null : listing.decode(cursor);
        return Uni.createFrom()
                .completionStage(() -> dynamo.query(request -> request.tableName(table)
                        .indexName(listing.index())
                        .keyConditionExpression("#partition = :partition")
                        // Videos being deleted are gone for their users; a page may come out short.
                        .filterExpression("attribute_not_exists(#deleting)")
                        .expressionAttributeNames(Map.of("#partition", listing.key(), "#deleting", DELETING_AT))
                        .expressionAttributeValues(Map.of(":partition", AttributeValue.fromS(listing.partition())))
                        .scanIndexForward(false)
                        .limit(limit)
                        .exclusiveStartKey(startKey)))
                .map(this::page);
    }

    private Page page(QueryResponse response) {
        List<Video> videos = response.items().stream().map(this::fromItem).toList();
        boolean more =
                response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty();
        return new Page(videos, more ? encodeCursor(response.lastEvaluatedKey()) : null);
    }

    private String encodeCursor(Map<String, AttributeValue> key) {
        byte[] bytes = AttributeValues.toObject(key).toString().getBytes(StandardCharsets.UTF_8);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** One listing: an index and the partition of it that is read. */
    private record Listing(String index, String key, String partition) {

        /**
         * The cursor's start key, when it is one this listing could have issued: its own index and
         * partition, a video id and a creation time. Anything else would fail at DynamoDB instead (an
         * empty or oversized key, a number out of its range), as a fault rather than a bad request.
         */
        Map<String, AttributeValue> decode(String cursor) {
            try {
                JsonNode node = CURSOR_JSON.readTree(Base64.getUrlDecoder().decode(cursor));
                boolean wellFormed = node instanceof ObjectNode object
                        && object.size() == 3
                        && VideoKeys.isValidId(object.path(VideoTable.ID).textValue())
                        && partition.equals(object.path(key).textValue())
                        && object.path(VideoTable.CREATED_MILLIS).isIntegralNumber()
                        && object.path(VideoTable.CREATED_MILLIS).canConvertToLong()
                        && object.path(VideoTable.CREATED_MILLIS).longValue() >= 0;
                if (!wellFormed) {
                    throw new IllegalArgumentException("not a cursor of this listing");
                }
                return AttributeValues.fromObject((ObjectNode) node);
            } catch (IllegalArgumentException | IOException e) {
                throw new IllegalArgumentException("The cursor is not one this listing returned", e);
            }
        }
    }

    private Map<String, AttributeValue> toItem(Video video) {
        ObjectNode node = json.valueToTree(video);
        node.put(VideoTable.LIST_KEY, LIST_PARTITION);
        node.put(VideoTable.CREATED_MILLIS, video.createdAt().toEpochMilli());
        if (video.job() != null) {
            node.put(VideoTable.JOB_ID, video.job().id());
        }
        if (video.owner() != null && !video.status().isTerminal() && !video.isDeleting()) {
            node.put(VideoTable.IN_FLIGHT_OWNER, video.owner());
        }
        if (!video.status().isTerminal() || video.isDeleting()) {
            node.put(VideoTable.PENDING_KEY, VideoTable.PENDING);
            node.put(VideoTable.UPDATED_MILLIS, video.updatedAt().toEpochMilli());
        }
        return AttributeValues.fromObject(node);
    }

    private Video fromItem(Map<String, AttributeValue> item) {
        try {
            return json.treeToValue(AttributeValues.toObject(item), Video.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Unreadable video item " + item.get(VideoTable.ID), e);
        }
    }
}
