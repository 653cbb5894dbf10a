package io.vodflow.video;

import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import io.vodflow.problem.ApiProblem;
import io.vodflow.security.Callers;
import io.vodflow.security.LinkSigner;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import java.time.Instant;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Lets an endpoint marked {@link ReachableVideo} run only for a video its caller may reach: with a
 * bearer token, one they own; with a signed {@code access} link (EventSource sends no header; an upload
 * may outlast the token it began with), the video the link was made for, until it expires. The
 * endpoint finds the video as {@link #reached}.
 */
public class ReachableVideoFilter {

    private static final String REACHED = ReachableVideoFilter.class.getName() + ".reached";
    private static final String LINK_EXPIRY = ReachableVideoFilter.class.getName() + ".linkExpiry";

    private final VideoRepository videos;
    private final Callers callers;
    private final LinkSigner signer;

    ReachableVideoFilter(VideoRepository videos, Callers callers, LinkSigner signer) {
        this.videos = videos;
        this.callers = callers;
        this.signer = signer;
    }

    // Binds to every endpoint marked @ReachableVideo, whatever its purpose; the endpoint's own decides.
    @ReachableVideo(LinkSigner.Purpose.EVENTS)
    @ServerRequestFilter
    public Uni<Void> requireVideo(ContainerRequestContext request, RoutingContext routing, ResourceInfo endpoint) {
        // Failures are ApiProblems or authentication exceptions, which the central mapper answers.
        String id = request.getUriInfo().getPathParameters().getFirst("id");
        String access = request.getUriInfo().getQueryParameters().getFirst("access");
        if (access == null) {
            return callers.current()
                    .flatMap(caller -> videos.get(id, caller))
                    .invoke(video -> routing.put(REACHED, video))
                    .replaceWithVoid();
        }
        LinkSigner.Purpose purpose =
                endpoint.getResourceMethod().getAnnotation(ReachableVideo.class).value();
        if (!signer.verify(purpose, id, access, Instant.now()) && !signedBeforeActions(purpose, id, access)) {
            String instead = purpose == LinkSigner.Purpose.EVENTS
                    ? "read the video again for a new one"
                    : "send your bearer token instead";
            return Uni.createFrom()
                    .failure(ApiProblem.forbidden(
                            "This link has expired, or is not this video's link for this; " + instead));
        }
        // A video being deleted is gone, as for its owner: a stream would end at once, and its
        // EventSource would come back for it until the link expired.
        return videos.find(id)
                .map(video -> video == null || video.isDeleting() ? null : video)
                .onItem()
                .ifNull()
                .failWith(() -> ApiProblem.notFound("There is no video " + id))
                .invoke(video -> {
                    routing.put(REACHED, video);
                    routing.put(LINK_EXPIRY, LinkSigner.expiry(access));
                })
                .replaceWithVoid();
    }

    /** An upload's link signed before each of its actions had its own purpose. */
    @SuppressWarnings("deprecation")
    private boolean signedBeforeActions(LinkSigner.Purpose purpose, String id, String access) {
        return purpose.isUploadAction() && signer.verify(LinkSigner.Purpose.UPLOAD, id, access, Instant.now());
    }

    /** When the signed link that let the request through expires; null for a caller with a token. */
    public static Instant linkExpiry(RoutingContext routing) {
        return routing.get(LINK_EXPIRY);
    }

    /** The video, as read when the request was let through. */
    public static Video reached(RoutingContext routing) {
        return routing.get(REACHED);
    }
}
