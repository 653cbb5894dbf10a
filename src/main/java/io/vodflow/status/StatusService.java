package io.vodflow.status;

import io.smallrye.mutiny.Uni;
import io.vodflow.video.VideoRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Applies job events to videos: finds the video (by its id in userMetadata, else by job id), applies
 * {@link StatusRules} with a conditional write. The repository announces the change to subscribers
 * and metrics.
 */
@ApplicationScoped
public class StatusService {

    private static final Logger LOG = Logger.getLogger(StatusService.class);

    private final VideoRepository videos;
    private final JobOutputs outputs;

    StatusService(VideoRepository videos, JobOutputs outputs) {
        this.videos = videos;
        this.outputs = outputs;
    }

    Uni<Void> apply(JobEvent event) {
        Uni<String> videoId =
                event.videoId() != null ? Uni.createFrom().item(event.videoId()) : videos.findIdByJobId(event.jobId());
        return videoId.flatMap(id -> {
            if (id == null) {
                LOG.infof("Ignoring %s of job %s: no video has this job", event.status(), event.jobId());
                return Uni.createFrom().voidItem();
            }
            return outputs.of(event)
                    .flatMap(produced ->
                            videos.update(id, current -> StatusRules.apply(current, event, produced, Instant.now())))
                    .replaceWithVoid();
        });
    }
}
