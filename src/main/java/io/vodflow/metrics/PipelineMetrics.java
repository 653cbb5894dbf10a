package io.vodflow.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vodflow.video.Video;
import io.vodflow.video.VideoChanged;
import io.vodflow.video.VideoStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * The pipeline's own metrics, next to Quarkus' HTTP and JVM ones at {@code /q/metrics}: how videos
 * end, how long jobs take, how long an upload takes to become playable, and how far consumers lag.
 */
@ApplicationScoped
public class PipelineMetrics {

    private final MeterRegistry registry;

    PipelineMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void changed(@Observes VideoChanged change) {
        if (change.finished()) {
            finished(change.after());
        }
    }

    /** Records a video that just reached a terminal status (COMPLETE, ERROR or CANCELED). */
    private void finished(Video video) {
        String outcome = video.status().name().toLowerCase(Locale.ROOT);
        String backend = video.job() == null ? "none" : video.job().backend();
        registry.counter("vodflow.videos.finished", "outcome", outcome, "backend", backend)
                .increment();
        Video.Job job = video.job();
        if (job != null
                && job.startedAt() != null
                && job.completedAt() != null
                && !job.completedAt().isBefore(job.startedAt())) {
            timer("vodflow.job.duration", outcome, backend)
                    .record(Duration.between(job.startedAt(), job.completedAt()));
        }
        if (video.status() == VideoStatus.COMPLETE
                && video.claim() != null
                && job != null
                && job.completedAt() != null) {
            Timer.builder("vodflow.upload.to.complete")
                    .description("From the upload's arrival to a playable video")
                    .tag("backend", backend)
                    .register(registry)
                    .record(Duration.between(video.claim().at(), job.completedAt()));
        }
    }

    /** Records how old a message was when its consumer got it. */
    public void lag(String queue, Instant sentAt) {
        if (sentAt != null) {
            Timer.builder("vodflow.consumer.lag")
                    .description("Age of a message when its consumer takes it")
                    .tag("queue", queue)
                    .register(registry)
                    .record(Duration.between(sentAt, Instant.now()).abs());
        }
    }

    private Timer timer(String name, String outcome, String backend) {
        return Timer.builder(name)
                .tag("outcome", outcome)
                .tag("backend", backend)
                .register(registry);
    }
}
