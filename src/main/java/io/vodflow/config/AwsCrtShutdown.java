package io.vodflow.config;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import software.amazon.awssdk.crt.CRT;

/**
 * Keeps the AWS Common Runtime, which every async S3, SQS and DynamoDB client here runs on, alive
 * until vodflow has stopped. The CRT releases its native event loops from a JVM shutdown hook of its
 * own, which runs beside Quarkus' shutdown: without this hold, every AWS call made while stopping
 * (handing a running job back, acknowledging a message, the requests served during
 * {@code quarkus.shutdown.delay}) would wait for ever. The CRT counts such holds and shuts down when
 * the last one is released.
 */
@ApplicationScoped
class AwsCrtShutdown {

    private boolean holding;

    synchronized void hold(@Observes @Priority(0) StartupEvent event) {
        CRT.acquireShutdownRef();
        holding = true;
    }

    /** The last thing vodflow does when it stops; nothing to release if it never got to start. */
    synchronized void release(@Observes @Priority(Integer.MAX_VALUE) ShutdownEvent event) {
        if (holding) {
            holding = false;
            CRT.releaseShutdownRef();
        }
    }
}
