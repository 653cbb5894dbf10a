package io.vodflow.transcode.local;

import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.http.HttpServer;
import io.vertx.mutiny.core.http.HttpServerRequest;
import io.vertx.mutiny.core.http.HttpServerResponse;
import io.vodflow.config.VodflowConfig;
import io.vodflow.storage.ObjectStore;
import io.vodflow.storage.S3Uri;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Links on the loopback interface through which ffprobe and ffmpeg read a job's source for as long as
 * its run lasts. Every request to a link is redirected to a GET URL signed at that moment, with the
 * credentials of that moment, and ffmpeg comes back to the link (not to where it was sent) for every
 * seek and reconnect. A run is therefore never bounded by one signature: the temporary credentials of
 * IRSA or EKS Pod Identity expire within hours, and a URL signed with them stops working when they
 * do, whatever its own lifetime. The signed URL stays off ffmpeg's command line too.
 *
 * <p>The server starts with the first link, on a free port of 127.0.0.1 only, on a Vert.x of its own
 * without metrics: it is plumbing, not the service's traffic, and Micrometer tags the service's
 * servers with their port when it is fixed (production's 8080 and 9000), then refuses the untagged
 * meters of a server on a free port beside them, which would stop it starting. A link's path is an
 * unguessable token, forgotten when its run closes it, then the source's key, which names the video
 * on ffmpeg's command line as the URL did.
 */
@ApplicationScoped
class SourceLinks {

    private static final Logger LOG = Logger.getLogger(SourceLinks.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ObjectStore store;
    private final Duration urlLifetime;
    private final Map<String, S3Uri> sources = new ConcurrentHashMap<>();
    private Vertx vertx; // guarded by this
    private HttpServer server; // guarded by this

    SourceLinks(ObjectStore store, VodflowConfig config) {
        this.store = store;
        this.urlLifetime = config.local().sourceUrlLifetime();
    }

    /** A link that reads {@code source} until it is closed; waits for the server the first time. */
    Link open(S3Uri source) {
        int port = port();
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        String token = HexFormat.of().formatHex(random);
        sources.put(token, source);
        return new Link(token, "http://127.0.0.1:" + port + path(token, source));
    }

    /** One run's way to its source. */
    final class Link implements AutoCloseable {
        private final String token;
        private final String url;

        private Link(String token, String url) {
            this.token = token;
            this.url = url;
        }

        String url() {
            return url;
        }

        @Override
        public void close() {
            sources.remove(token);
        }
    }

    private synchronized int port() {
        if (server == null) {
            if (vertx == null) {
                // One event loop is plenty for redirects.
                vertx = Vertx.vertx(new VertxOptions()
                        .setEventLoopPoolSize(1)
                        .setWorkerPoolSize(1)
                        .setInternalBlockingPoolSize(1)
                        .setMetricsOptions(new MetricsOptions().setEnabled(false)));
            }
            server = vertx.createHttpServer(
                            new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                    .requestHandler(this::answer)
                    .listen()
                    .await()
                    .atMost(START_TIMEOUT);
        }
        return server.actualPort();
    }

    private void answer(HttpServerRequest request) {
        HttpServerResponse response = request.response();
        String path = Objects.requireNonNullElse(request.path(), "");
        int slash = path.indexOf('/', 1);
        S3Uri source = slash > 0 ? sources.get(path.substring(1, slash)) : null;
        if (source == null || !path.equals(path(path.substring(1, slash), source))) {
            response.setStatusCode(404).endAndForget();
        } else if (request.method() != HttpMethod.GET) {
            // The URL it is sent to is signed for a GET, which is all ffprobe and ffmpeg send.
            response.setStatusCode(405).putHeader("Allow", "GET").endAndForget();
        } else {
            store.presignGet(source, urlLifetime)
                    .subscribe()
                    .with(
                            url -> response.setStatusCode(307)
                                    .putHeader("Location", url)
                                    .putHeader("Cache-Control", "no-store")
                                    .endAndForget(),
                            failure -> {
                                LOG.warnf(failure, "Could not sign a URL to read %s", source);
                                response.setStatusCode(503).endAndForget();
                            });
        }
    }

    private static String path(String token, S3Uri source) {
        return "/" + token + "/" + source.key();
    }

    @PreDestroy
    synchronized void stop() {
        if (server != null) {
            server.close().await().atMost(START_TIMEOUT);
            server = null;
        }
        if (vertx != null) {
            vertx.close().await().atMost(START_TIMEOUT);
            vertx = null;
        }
    }
}
