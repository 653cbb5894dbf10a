package io.vodflow.status;

import io.vodflow.support.VideoLog;
import io.vodflow.video.VideoChanged;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/** One log line each time a video's status moves, whoever moved it, with the video's id as a field. */
@ApplicationScoped
class StatusLog {

    private static final Logger LOG = Logger.getLogger(StatusLog.class);

    void changed(@Observes VideoChanged change) {
        if (change.before() != null
                && change.before().status() == change.after().status()) {
            return;
        }
        String id = change.after().id();
        VideoLog.infof(LOG, id, "Video %s is %s", id, change.after().status());
    }
}
