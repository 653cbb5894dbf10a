package io.vodflow.playback;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vodflow.config.VodflowConfig;
import io.vodflow.problem.ApiProblem;
import io.vodflow.security.LinkSigner;
import io.vodflow.storage.ContentTypes;
import io.vodflow.storage.VideoKeys;
import io.vodflow.video.VideoRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.reactivestreams.FlowAdapters;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Reads a video's HLS renditions and thumbnails from the output bucket, streamed without buffering
 * whole files, with Range requests, conditional requests and cache headers. The key is built from the
 * video id and a plain file name, so a video's URLs reach that video's outputs and nothing else.
 */
@ApplicationScoped
public class PlaybackService {

    private static final Pattern FILE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    /**
     * A master playlist's name (master.m3u8, preview.m3u8); a rendition's carries its modifier after an
     * underscore.
     */
    private static final Pattern MASTER_PLAYLIST = Pattern.compile("[A-Za-z0-9.-]+\\.m3u8");

    /** One output, ready to send: 200, 206 (a range) or 304 (the client's copy is current). */
    public record Output(int status, Map<String, List<String>> headers, Multi<Buffer> body) {}

    private final S3AsyncClient s3;
    private final LinkSigner signer;
    private final VideoRepository videos;
    private final String bucket;

    PlaybackService(S3AsyncClient s3, LinkSigner signer, VideoRepository videos, VodflowConfig config) {
        this.s3 = s3;
        this.signer = signer;
        this.videos = videos;
        this.bucket = config.storage().outputBucket();
    }

    /**
     * @throws ApiProblem (as the Uni's failure) 403 for a token that expired, was altered or is another
     *     video's; 404 for anything that is not one of the video's outputs
     */
    public Uni<Output> open(OutputRequest request) {
        return reachable(request).flatMap(ignored -> read(request));
    }

    /**
     * What {@link #open} would answer, without the body: storage is asked for the file's metadata
     * only, so a HEAD costs no read of the file, and says its length.
     */
    public Uni<Output> describe(OutputRequest request) {
        return reachable(request).flatMap(ignored -> head(request));
    }

    private Uni<Void> reachable(OutputRequest request) {
        String id = request.id();
        if (!signer.verify(LinkSigner.Purpose.PLAYBACK, id, request.token(), Instant.now())) {
            return Uni.createFrom()
                    .failure(ApiProblem.forbidden("This playback link has expired or is not for this video;"
                            + " read the video again for a new one"));
        }
        if (!VideoKeys.isValidId(id) || !FILE.matcher(request.file()).matches()) {
            return Uni.createFrom().failure(ApiProblem.notFound("There is no such output"));
        }
        return MASTER_PLAYLIST.matcher(request.file()).matches()
                ? whileTheVideoIsThere(id)
                : Uni.createFrom().voidItem();
    }

    /**
     * A master playlist, where every playback starts, is served only while its video is there: links
     * signed before a delete start no playback once the video is gone or going, even where storage
     * still holds outputs (a delete cut short, outputs it could not remove). Rendition playlists
     * (reloaded every few seconds while they grow), segments and thumbnails are not checked, so that
     * their many reads cost no more than storage's; nor is a master playlist when the table cannot
     * answer, since the check only guards what a delete left behind.
     */
    private Uni<Void> whileTheVideoIsThere(String id) {
        return videos.find(id)
                .map(video -> video != null && !video.isDeleting())
                .onFailure()
                .recoverWithItem(true)
                .flatMap(there -> there
                        ? Uni.createFrom().voidItem()
                        : Uni.createFrom().failure(ApiProblem.notFound("There is no such output")));
    }

    private Uni<Output> read(OutputRequest request) {
        return Uni.createFrom()
                .completionStage(() -> s3.getObject(
                        get -> get.bucket(bucket)
                                .key(key(request))
                                .range(request.range())
                                .ifNoneMatch(request.ifNoneMatch()),
                        AsyncResponseTransformer.toPublisher()))
                .map(body -> new Output(
                        body.response().contentRange() == null ? 200 : 206,
                        headers(request.file(), body.response().sdkHttpResponse()),
                        Multi.createFrom()
                                .publisher(FlowAdapters.toFlowPublisher(body))
                                .map(PlaybackService::buffer)))
                .onFailure(S3Exception.class)
                .recoverWithUni(e -> answer((S3Exception) e, request));
    }

    private Uni<Output> head(OutputRequest request) {
        return Uni.createFrom()
                .completionStage(() -> s3.headObject(head -> head.bucket(bucket)
                        .key(key(request))
                        .range(request.range())
                        .ifNoneMatch(request.ifNoneMatch())))
                .map(stored -> {
                    Map<String, List<String>> headers = headers(request.file(), stored.sdkHttpResponse());
                    headers.put("Content-Length", List.of(String.valueOf(stored.contentLength())));
                    return new Output(
                            stored.contentRange() == null ? 200 : 206,
                            headers,
                            Multi.createFrom().empty());
                })
                .onFailure(S3Exception.class)
                .recoverWithUni(e -> answer((S3Exception) e, request));
    }

    private static String key(OutputRequest request) {
        return VideoKeys.outputs(request.id()) + request.group() + "/" + request.file();
    }

    /** What S3's refusal means to the player. */
    private static Uni<Output> answer(S3Exception refusal, OutputRequest request) {
        // Without ListBucket permission, S3 answers 403 for a missing key; to a HEAD, 404 without a code.
        // A missing bucket is a misconfiguration, not a missing file.
        boolean missing = refusal instanceof NoSuchKeyException
                || refusal.statusCode() == 404 && !(refusal instanceof NoSuchBucketException)
                || refusal.statusCode() == 403;
        if (missing) {
            return Uni.createFrom().failure(ApiProblem.notFound("There is no such output"));
        }
        if (refusal.statusCode() == 304) {
            return Uni.createFrom().item(notModified(refusal, request.file()));
        }
        if (refusal.statusCode() == 416) {
            return Uni.createFrom()
                    .failure(ApiProblem.rangeNotSatisfiable("The range " + request.range() + " is outside the file"));
        }
        return Uni.createFrom().failure(refusal);
    }

    /**
     * The stored file's own ETag, never the client's If-None-Match echoed back (which may be "*" or a
     * list). How long it may be kept: a segment's never changes; a playlist's only as storage says,
     * since a default would hold a growing playlist in the player's cache.
     */
    private static Output notModified(S3Exception refusal, String file) {
        Map<String, List<String>> headers = new HashMap<>();
        var stored = refusal.awsErrorDetails() == null
                ? null
                : refusal.awsErrorDetails().sdkHttpResponse();
        Optional<String> storedKeep = stored == null ? Optional.empty() : stored.firstMatchingHeader("Cache-Control");
        if (stored != null) {
            stored.firstMatchingHeader("ETag").ifPresent(etag -> headers.put("ETag", List.of(etag)));
        }
        if (!file.endsWith(".m3u8") || storedKeep.isPresent()) {
            headers.put("Cache-Control", List.of(cacheControl(file, storedKeep.orElse(null))));
        }
        return new Output(304, headers, Multi.createFrom().empty());
    }

    /** The headers of a file found, from storage's answer. */
    private static Map<String, List<String>> headers(String file, SdkHttpResponse stored) {
        Map<String, List<String>> headers = new HashMap<>();
        String type = ContentTypes.ofOutput(file)
                .or(() -> stored.firstMatchingHeader("Content-Type"))
                .orElse("application/octet-stream");
        headers.put("Content-Type", List.of(type));
        // A body streams with chunked transfer encoding, which excludes a Content-Length.
        headers.put("Accept-Ranges", List.of("bytes"));
        stored.firstMatchingHeader("Content-Range").ifPresent(range -> headers.put("Content-Range", List.of(range)));
        stored.firstMatchingHeader("ETag").ifPresent(etag -> headers.put("ETag", List.of(etag)));
        headers.put(
                "Cache-Control",
                List.of(cacheControl(
                        file, stored.firstMatchingHeader("Cache-Control").orElse(null))));
        return headers;
    }

    /**
     * Segments and images never change. A playlist says how long it may be kept (the local engine
     * stores a growing one with max-age=1), else it changes only if the video is transcoded again.
     * Only the holder of the link's token may keep a copy: its URL is what grants access.
     */
    private static String cacheControl(String file, String stored) {
        String keep = !file.endsWith(".m3u8") ? "max-age=31536000, immutable" : stored != null ? stored : "max-age=60";
        return "private, " + keep;
    }

    private static Buffer buffer(ByteBuffer bytes) {
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        return Buffer.buffer(copy);
    }
}
