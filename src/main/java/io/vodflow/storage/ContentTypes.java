package io.vodflow.storage;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Media types: the configured allow-list for uploads ({@code video/*}, {@code video/mp4}, ...) and
 * the types of the outputs vodflow stores and serves.
 */
public final class ContentTypes {

    /**
     * type "/" subtype with RFC 6838 name characters, optionally followed by parameters; all of it in
     * printable ASCII: the type goes to storage as a header, where other characters break the request's
     * signature.
     */
    private static final Pattern PRINTABLE_ASCII = Pattern.compile("[\\x20-\\x7e]+");

    private static final Pattern MEDIA_TYPE =
            Pattern.compile("([a-z0-9][a-z0-9!#$&^_.+-]*)/([a-z0-9][a-z0-9!#$&^_.+-]*)(\\s*;.*)?");

    private static final Map<String, String> OUTPUTS = Map.of(
            "m3u8", "application/vnd.apple.mpegurl",
            "ts", "video/mp2t",
            "aac", "audio/aac",
            "jpg", "image/jpeg");

    private ContentTypes() {}

    /** The media type of an output file, by its extension; empty for a file vodflow does not make. */
    public static Optional<String> ofOutput(String fileName) {
        return Optional.ofNullable(OUTPUTS.get(fileName.substring(fileName.lastIndexOf('.') + 1)));
    }

    /** The {@code type/subtype} of a media type, lower case and without parameters; empty if malformed. */
    public static Optional<String> essence(String contentType) {
        // Checked as given, before case folding and trimming turn other characters into ASCII.
        if (contentType == null || !PRINTABLE_ASCII.matcher(contentType).matches()) {
            return Optional.empty();
        }
        Matcher matcher = MEDIA_TYPE.matcher(contentType.strip().toLowerCase(Locale.ROOT));
        return matcher.matches() ? Optional.of(matcher.group(1) + "/" + matcher.group(2)) : Optional.empty();
    }

    /** Whether a well-formed media type is on the allow-list; {@code type/*} allows every subtype. */
    public static boolean isAllowed(String contentType, List<String> allowList) {
        return essence(contentType)
                .map(essence -> allowList.stream()
                        .map(allowed -> allowed.strip().toLowerCase(Locale.ROOT))
                        .anyMatch(allowed -> allowed.equals(essence)
                                || allowed.endsWith("/*")
                                        && essence.startsWith(allowed.substring(0, allowed.length() - 1))))
                .orElse(false);
    }
}
