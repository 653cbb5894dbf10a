package io.vodflow.storage;

import io.smallrye.mutiny.Uni;
import io.vodflow.support.Offload;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.utils.CompletableFutureUtils;

/**
 * The credentials S3 URLs are presigned with, kept at hand so that presigning one URL needs no
 * worker thread. Resolving them may block (web identity, container and instance credentials are
 * fetched over the network, and the SDK refreshes them before they expire), so they are resolved on
 * a worker thread and kept for a minute at most, never closer than a minute to their expiry; after
 * that the next presign waits for them to be resolved again on a worker thread.
 */
@ApplicationScoped
public class SigningCredentials {

    static final Duration KEEP = Duration.ofMinutes(1);
    static final Duration EXPIRY_MARGIN = Duration.ofMinutes(1);

    private record Kept(AwsCredentialsIdentity credentials, Instant resolved, Instant expires) {

        boolean usableAt(Instant now) {
            return now.isBefore(resolved.plus(KEEP)) && (expires == null || now.isBefore(expires.minus(EXPIRY_MARGIN)));
        }
    }

    private final IdentityProvider<? extends AwsCredentialsIdentity> source;
    private final Clock clock;
    private volatile Kept kept;

    @Inject
    SigningCredentials(S3AsyncClient s3) {
        // The S3 client's own, built from quarkus.s3.aws.credentials like the presigner's.
        this(s3.serviceClientConfiguration().credentialsProvider(), Clock.systemUTC());
    }

    SigningCredentials(IdentityProvider<? extends AwsCredentialsIdentity> source, Clock clock) {
        this.source = source;
        this.clock = clock;
    }

    /** Credentials to presign with: at once while the kept ones are usable, else resolved on a worker thread. */
    public Uni<AwsCredentialsIdentity> current() {
        Kept at = kept;
        if (at != null && at.usableAt(clock.instant())) {
            return Uni.createFrom().item(at.credentials());
        }
        return Offload.of(this::resolve);
    }

    private AwsCredentialsIdentity resolve() {
        Instant now = clock.instant();
        AwsCredentialsIdentity identity = CompletableFutureUtils.joinLikeSync(source.resolveIdentity());
        kept = new Kept(identity, now, identity.expirationTime().orElse(null));
        return identity;
    }
}
