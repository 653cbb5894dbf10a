package io.vodflow.playback;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vodflow.config.VodflowConfig;
import io.vodflow.problem.ApiProblem;
import io.vodflow.video.VideoKeys;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestMulti;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.reactivestreams.FlowAdapters;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.async.ResponsePublisher;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Serves a video's HLS renditions and thumbnails from the output bucket, streamed without buffering
 * whole files, with Range requests, conditional requests and cache headers. The key is built from the
 * video id and a plain file name, so a video's URLs reach that video's outputs and nothing else.
 */
@Path("/videos/{id}")
@Tag(name = "Playback")
public class PlaybackResource {

    private static final Pattern FILE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

    private final S3AsyncClient s3;
    private final String bucket;

    PlaybackResource(S3AsyncClient s3, VodflowConfig config) {
        this.s3 = s3;
        this.bucket = config.storage().outputBucket();
    }

    @GET
    @Path("/{group:hls|thumbnails}/{file}")
    @Operation(summary = "Get an HLS playlist or segment, or a thumbnail")
    @APIResponse(responseCode = "200", description = "The file")
    @APIResponse(responseCode = "206", description = "The requested range of the file")
    @APIResponse(responseCode = "404", description = "No such file")
    public Multi<Buffer> output(
            @PathParam("id") String id,
            @PathParam("group") String group,
            @PathParam("file") String file,
            @RestHeader("Range") String range,
            @RestHeader("If-None-Match") String ifNoneMatch) {
        if (!VideoKeys.isValidId(id) || !FILE.matcher(file).matches()) {
            throw ApiProblem.notFound("There is no such output");
        }
        String key = VideoKeys.outputs(id) + group + "/" + file;
        Uni<ResponsePublisher<GetObjectResponse>> object = Uni.createFrom()
                .completionStage(() -> s3.getObject(
                        get -> get.bucket(bucket).key(key).range(range).ifNoneMatch(ifNoneMatch),
                        AsyncResponseTransformer.toPublisher()))
                // Without ListBucket permission, S3 answers 403 for a missing key.
                .onFailure(
                        e -> e instanceof NoSuchKeyException || e instanceof S3Exception s3 && s3.statusCode() == 403)
                .transform(e -> ApiProblem.notFound("There is no such output"))
                .onFailure(e -> e instanceof S3Exception s3 && s3.statusCode() == 304)
                .transform(e -> new NotModified())
                .onFailure(e -> e instanceof S3Exception s3 && s3.statusCode() == 416)
                .transform(e -> ApiProblem.rangeNotSatisfiable("The range " + range + " is outside the file"));
        return RestMulti.fromUniResponse(
                object,
                body -> Multi.createFrom()
                        .publisher(FlowAdapters.toFlowPublisher(body))
                        .map(PlaybackResource::buffer),
                body -> headers(body.response(), file),
                body -> body.response().contentRange() == null ? 200 : 206);
    }

    private static Map<String, List<String>> headers(GetObjectResponse response, String file) {
        Map<String, List<String>> headers = new HashMap<>();
        headers.put("Content-Type", List.of(contentType(response, file)));
        // The body streams with chunked transfer encoding, which excludes a Content-Length.
        headers.put("Accept-Ranges", List.of("bytes"));
        if (response.contentRange() != null) {
            headers.put("Content-Range", List.of(response.contentRange()));
        }
        if (response.eTag() != null) {
            headers.put("ETag", List.of(response.eTag()));
        }
        // Segments and images never change; playlists only if a video is transcoded again.
        headers.put(
                "Cache-Control",
                List.of(file.endsWith(".m3u8") ? "public, max-age=60" : "public, max-age=31536000, immutable"));
        return headers;
    }

    private static String contentType(GetObjectResponse response, String file) {
        if (file.endsWith(".m3u8")) {
            return "application/vnd.apple.mpegurl";
        }
        if (file.endsWith(".ts")) {
            return "video/mp2t";
        }
        if (file.endsWith(".jpg")) {
            return "image/jpeg";
        }
        return response.contentType() == null ? "application/octet-stream" : response.contentType();
    }

    private static Buffer buffer(ByteBuffer bytes) {
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        return Buffer.buffer(copy);
    }

    @ServerExceptionMapper
    public Response notModified(NotModified current) {
        return Response.notModified().build();
    }

    /** The client's copy is current. */
    static class NotModified extends RuntimeException {
        NotModified() {
            super(null, null, false, false);
        }
    }
}
