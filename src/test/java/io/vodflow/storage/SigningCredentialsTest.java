package io.vodflow.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.identity.spi.ResolveIdentityRequest;

/** URLs are presigned with credentials at hand, and never with ones about to expire. */
class SigningCredentialsTest {

    private static final Instant START = Instant.parse("2026-11-30T12:00:00Z");

    private final TestClock clock = new TestClock();
    private final AtomicInteger resolutions = new AtomicInteger();

    @Test
    void credentialsAreKeptForAMinuteAndHandedOverOnTheCallersThread() {
        SigningCredentials signing = new SigningCredentials(source(null), clock);

        assertThat(accessKey(signing)).isEqualTo("key-1");
        Thread caller = Thread.currentThread();
        Thread handedOn =
                signing.current().map(ignored -> Thread.currentThread()).await().indefinitely();
        assertThat(handedOn).as("no worker for kept credentials").isSameAs(caller);
        assertThat(accessKey(signing)).isEqualTo("key-1");

        clock.now = START.plus(SigningCredentials.KEEP);
        assertThat(accessKey(signing)).as("resolved again after a minute").isEqualTo("key-2");
    }

    @Test
    void credentialsAboutToExpireAreNotUsed() {
        SigningCredentials signing = new SigningCredentials(source(START.plusSeconds(90)), clock);
        assertThat(accessKey(signing)).isEqualTo("key-1");

        clock.now = START.plusSeconds(29);
        assertThat(accessKey(signing)).isEqualTo("key-1");
        clock.now = START.plusSeconds(30); // a minute before they expire
        assertThat(accessKey(signing)).isEqualTo("key-2");
    }

    private static String accessKey(SigningCredentials signing) {
        return signing.current().await().atMost(Duration.ofSeconds(10)).accessKeyId();
    }

    /** A session each time it is asked: key-1, key-2, ... expiring at {@code expires} (null: never). */
    private IdentityProvider<AwsCredentialsIdentity> source(Instant expires) {
        return new IdentityProvider<>() {
            @Override
            public Class<AwsCredentialsIdentity> identityType() {
                return AwsCredentialsIdentity.class;
            }

            @Override
            public CompletableFuture<AwsCredentialsIdentity> resolveIdentity(ResolveIdentityRequest request) {
                return CompletableFuture.completedFuture(AwsSessionCredentials.builder()
                        .accessKeyId("key-" + resolutions.incrementAndGet())
                        .secretAccessKey("secret")
                        .sessionToken("session")
                        .expirationTime(expires)
                        .build());
            }
        };
    }

    private static final class TestClock extends Clock {
        volatile Instant now = START;

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
