package io.vodflow.storage;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The only place that knows how video ids look and where a video's objects live. Keys are built from
 * generated ids alone, never from anything a client names.
 */
public final class VideoKeys {

    public static final String UPLOADS_PREFIX = "uploads/";
    private static final String SOURCE_NAME = "/source";
    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private VideoKeys() {}

    public static String newId() {
        return UUID.randomUUID().toString();
    }

    /** Whether {@code id} could have been issued by {@link #newId()}. */
    public static boolean isValidId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** Key of the uploaded source in the input bucket. */
    public static String source(String id) {
        return UPLOADS_PREFIX + id + SOURCE_NAME;
    }

    /** The video whose source this key is, if it is one. */
    public static Optional<String> idOfSource(String key) {
        if (key.startsWith(UPLOADS_PREFIX) && key.endsWith(SOURCE_NAME)) {
            String id = key.substring(UPLOADS_PREFIX.length(), key.length() - SOURCE_NAME.length());
            return isValidId(id) ? Optional.of(id) : Optional.empty();
        }
        return Optional.empty();
    }

    /** Prefix of everything produced for a video in the output bucket. */
    public static String outputs(String id) {
        return "videos/" + id + "/";
    }
}
