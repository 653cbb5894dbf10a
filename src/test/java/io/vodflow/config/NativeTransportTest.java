package io.vodflow.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** The HTTP server's connections, SSE streams first, run on Linux's epoll transport where there is one. */
@QuarkusTest
class NativeTransportTest {

    @Inject
    Vertx vertx;

    @Test
    void connectionsUseEpollOnLinux() {
        String os = System.getProperty("os.name") + " " + System.getProperty("os.arch");
        if (os.equals("Linux amd64")) {
            assertThat(vertx.isNativeTransportEnabled())
                    .as("native transport on %s (%s)", os, vertx.unavailableNativeTransportCause())
                    .isTrue();
        } else {
            assertThat(vertx.isNativeTransportEnabled())
                    .as("no native transport is shipped for %s", os)
                    .isFalse();
        }
    }
}
