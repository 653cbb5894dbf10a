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
import io.vodflow.storage.VideoKeys;
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
import java.util.Set;
import java.util.function.UnaryOperator;
import org.reactivestreams.FlowAdapters;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

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
            Video.Rendition.class,
            Video.Failure.class
        })
public class VideoRepository {

    /** The single partition of the listing index. */
    private static final String LIST_PARTITION = "video";

    private static final Set<String> CURSOR_KEYS =
            Set.of(VideoTable.ID, VideoTable.LIST_KEY, VideoTable.CREATED_MILLIS);
    private static final int MAX_CONFLICT_RETRIES = 20;
    /** The attribute of {@link Video#deletingAt()}. */
    private static final String DELETING_AT = "deletingAt";

    private final DynamoDbAsyncClient dynamo;
    private final String table;
    private final ObjectMapper json;
    private final Event<VideoChanged> changes;

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
     * The video with this id, for an API call: a video being deleted is gone for its users already.
     *
     * @throws ApiProblem (as the Uni's failure) 404 when there is no such video
     */
    public Uni<Video> get(String id) {
        Uni<Video> found = VideoKeys.isValidId(id) ? find(id) : Uni.createFrom().nullItem();
        return found.onItem()
                .ifNotNull()
                .transform(video -> video.isDeleting() ? null : video)
                .onItem()
                .ifNull()
                .failWith(() -> ApiProblem.notFound("There is no video " + id));
    }

    /** The video with this id, or null. Reads are strongly consistent. */
    public Uni<Video> find(String id) {
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

    /** The videos with these ids that exist, read consistently, in batches of 100. */
    public Uni<List<Video>> findAll(Collection<String> ids) {
        List<String> all = List.copyOf(ids);
        List<Uni<List<Video>>> batches = new ArrayList<>();
        for (int from = 0; from < all.size(); from += 100) {
            List<Map<String, AttributeValue>> keys = all.subList(from, Math.min(all.size(), from + 100)).stream()
                    .map(id -> Map.of(VideoTable.ID, AttributeValue.fromS(id)))
                    .toList();
            batches.add(Uni.createFrom()
                    .completionStage(() -> dynamo.batchGetItem(request -> request.requestItems(Map.of(
                            table,
                            KeysAndAttributes.builder()
                                    .keys(keys)
                                    .consistentRead(true)
                                    .build()))))
                    .map(response -> response.responses().getOrDefault(table, List.of()).stream()
                            .map(this::fromItem)
                            .toList()));
        }
        if (batches.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return Uni.join().all(batches).andFailFast().map(lists -> lists.stream()
                .flatMap(List::stream)
                .toList());
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

    /** One page of videos, newest first. */
    public record Page(List<Video> videos, String nextCursor) {}

    /**
     * Lists videos newest first.
     *
     * @param cursor the {@code nextCursor} of the previous page, or null for the first page
     * @throws IllegalArgumentException if the cursor was not issued by this method
     */
    public Uni<Page> list(int limit, String cursor) {
        Map<String, AttributeValue> startKey = cursor == null ? null : decodeCursor(cursor);
        return Uni.createFrom()
                .completionStage(() -> dynamo.query(request -> request.tableName(table)
                        .indexName(VideoTable.BY_CREATION_INDEX)
                        .keyConditionExpression("#list = :list")
                        // Videos being deleted are gone for their users; a page may come out short.
                        .filterExpression("attribute_not_exists(#deleting)")
                        .expressionAttributeNames(Map.of("#list", VideoTable.LIST_KEY, "#deleting", DELETING_AT))
                        .expressionAttributeValues(Map.of(":list", AttributeValue.fromS(LIST_PARTITION)))
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

    private Map<String, AttributeValue> decodeCursor(String cursor) {
        try {
            JsonNode node = json.readTree(Base64.getUrlDecoder().decode(cursor));
            boolean wellFormed = node instanceof ObjectNode object
                    && object.size() == CURSOR_KEYS.size()
                    && object.path(VideoTable.ID).isTextual()
                    && LIST_PARTITION.equals(object.path(VideoTable.LIST_KEY).asText())
                    && object.path(VideoTable.CREATED_MILLIS).isIntegralNumber();
            if (!wellFormed) {
                throw new IllegalArgumentException("not a cursor of this listing");
            }
            return AttributeValues.fromObject((ObjectNode) node);
        } catch (IllegalArgumentException | IOException e) {
            throw new IllegalArgumentException("The cursor is not one this API returned", e);
        }
    }

    private Map<String, AttributeValue> toItem(Video video) {
        ObjectNode node = json.valueToTree(video);
        node.put(VideoTable.LIST_KEY, LIST_PARTITION);
        node.put(VideoTable.CREATED_MILLIS, video.createdAt().toEpochMilli());
        if (video.job() != null) {
            node.put(VideoTable.JOB_ID, video.job().id());
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
