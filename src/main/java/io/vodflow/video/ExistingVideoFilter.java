package io.vodflow.video;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.container.ContainerRequestContext;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** Answers 404 for endpoints marked {@link ExistingVideo} when their {@code {id}} names no video. */
public class ExistingVideoFilter {

    private final VideoRepository videos;

    ExistingVideoFilter(VideoRepository videos) {
        this.videos = videos;
    }

    @ExistingVideo
    @ServerRequestFilter
    public Uni<Void> requireVideo(ContainerRequestContext request) {
        // A missing video fails with a 404 ApiProblem, which the central mapper turns into the response.
        return videos.get(request.getUriInfo().getPathParameters().getFirst("id"))
                .replaceWithVoid();
    }
}
