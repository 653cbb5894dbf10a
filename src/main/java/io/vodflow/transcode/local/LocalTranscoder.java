package io.vodflow.transcode.local;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.vodflow.transcode.TranscodeRequest;
import io.vodflow.transcode.Transcoder;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** Placeholder until the local ffmpeg engine lands: logs the job it would run. */
@ApplicationScoped
@Identifier("local")
public class LocalTranscoder implements Transcoder {

    private static final Logger LOG = Logger.getLogger(LocalTranscoder.class);

    @Override
    public String name() {
        return "local";
    }

    @Override
    public Uni<String> submit(TranscodeRequest request) {
        LOG.infof("Would transcode video %s with %s", request.videoId(), request.settings());
        return Uni.createFrom().item("local-" + request.idempotencyToken());
    }

    @Override
    public Uni<Void> cancel(String jobId) {
        return Uni.createFrom().voidItem();
    }
}
