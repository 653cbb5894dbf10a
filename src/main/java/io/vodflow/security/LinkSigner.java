package io.vodflow.security;

import io.quarkus.runtime.LaunchMode;
import io.vodflow.config.VodflowConfig;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jboss.logging.Logger;

/**
 * Signs links that open one video's outputs or event stream without a bearer token, for players and
 * EventSource, which cannot send one: {@code <expiry>.<HMAC-SHA256 of purpose, video and expiry>}.
 * A link names what it opens, so one video's link opens nothing of another, and ends at its expiry.
 */
@Singleton
public class LinkSigner {

    private static final Logger LOG = Logger.getLogger(LinkSigner.class);
    private static final String ALGORITHM = "HmacSHA256";

    /** What a link opens. */
    public enum Purpose {
        PLAYBACK,
        EVENTS,
        // An upload, which can outlast a sign-in's token: each of its links opens one action only.
        UPLOAD_COMPLETE,
        UPLOAD_PARTS,
        UPLOAD_ABORT,
        /**
         * Any of an upload's actions, as links signed before each action had its own (2026-12-03):
         * verified, never signed, so that uploads under way across that release still complete. Links
         * last no more than the longest upload URL lifetime plus the upload grace; remove it after.
         */
        @Deprecated
        UPLOAD;

        /** Whether this is one of an upload's actions. */
        public boolean isUploadAction() {
            return this == UPLOAD_COMPLETE || this == UPLOAD_PARTS || this == UPLOAD_ABORT;
        }
    }

    /**
     * One initialised Mac per thread: every video read, and every event sent to every subscriber,
     * signs links, so the lookup and key set-up are done once rather than per link.
     */
    private final ThreadLocal<Mac> macs;

    LinkSigner(VodflowConfig config) {
        byte[] bytes = config.auth().signingKey().map(LinkSigner::decode).orElseGet(() -> {
            // With sign-in on, production refuses to start without a key (AuthChecks); dev mode and
            // tests run alone.
            if (LaunchMode.current() == LaunchMode.NORMAL) {
                LOG.warn("vodflow.auth.signing-key is not set: links signed here open nothing on another replica");
            }
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            return random;
        });
        SecretKeySpec key = new SecretKeySpec(bytes, ALGORITHM);
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance(ALGORITHM);
                mac.init(key);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
            }
        });
    }

    /** The configured key's bytes; fails on anything but Base64 of at least 32 bytes. */
    static byte[] decode(String base64) {
        byte[] bytes = Base64.getDecoder().decode(base64.strip());
        if (bytes.length < 32) {
            throw new IllegalArgumentException("vodflow.auth.signing-key must hold at least 32 bytes");
        }
        return bytes;
    }

    public String sign(Purpose purpose, String videoId, Instant expires) {
        long seconds = expires.getEpochSecond();
        return seconds + "." + mac(purpose, videoId, seconds);
    }

    /** When a link {@link #verify verified} before stops opening anything. */
    public static Instant expiry(String token) {
        return Instant.ofEpochSecond(expirySeconds(token));
    }

    /** Whether {@code token} opens {@code purpose} of this video at {@code now}. */
    public boolean verify(Purpose purpose, String videoId, String token, Instant now) {
        if (token == null) {
            return false;
        }
        int dot = token.indexOf('.');
        long seconds;
        try {
            seconds = expirySeconds(token);
        } catch (NumberFormatException e) {
            return false;
        }
        byte[] expected = mac(purpose, videoId, seconds).getBytes(StandardCharsets.US_ASCII);
        byte[] given = token.substring(dot + 1).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, given) && now.getEpochSecond() < seconds;
    }

    /** The epoch second before the token's dot; a NumberFormatException when there is none. */
    private static long expirySeconds(String token) {
        return Long.parseLong(token.substring(0, Math.max(token.indexOf('.'), 0)));
    }

    private String mac(Purpose purpose, String videoId, long expires) {
        // doFinal leaves the Mac ready for the next link.
        byte[] signed =
                macs.get().doFinal((purpose + "\n" + videoId + "\n" + expires).getBytes(StandardCharsets.UTF_8));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(signed);
    }
}
