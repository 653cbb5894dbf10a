package io.vodflow.status;

import io.vodflow.support.VideoLog;
import io.vodflow.video.Video;
import io.vodflow.video.VideoChanged;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * One log line each time a video's status moves, whoever moved it, and when it becomes playable while
 * its job runs, with the video's id as a field.
 */
@ApplicationScoped
class StatusLog {

    private static final Logger LOG = Logger.getLogger(StatusLog.class);

    void changed(@Observes VideoChanged change) {
        Video before = change.before();
        Video after = change.after();
        String id = after.id();
        if (before == null || before.status() != after.status()) {
            VideoLog.infof(LOG, id, "Video %s is %s", id, after.status());
        }
        if (after.playable() != null && (before == null || before.playable() == null)) {
            VideoLog.infof(LOG, id, "Video %s plays while its job goes on", id);
        }
    }
}
