package io.vodflow.media;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How ffprobe and ffmpeg open an uploaded source, the one way every run does. Users upload media
 * files and nothing else, so only the demuxers of the containers they actually upload may read a
 * source, and only the protocols of the one URL vodflow hands over (and of the storage it may
 * redirect to): no manifest (DASH, HLS), playlist, concat list, image sequence or nested protocol
 * inside a file can make vodflow fetch anything else. Storage's TLS certificate is verified (ffmpeg
 * does not by default): nobody on the way can hand the tools another file, or read the URL.
 */
public final class SourceInput {

    /**
     * Demuxers of MP4/MOV/3GP/M4A, Matroska/WebM, AVI, MPEG-TS, MPEG-PS, FLV, Ogg and the audio-only
     * formats (MP3, ADTS AAC, WAV, FLAC, AIFF). A demuxer with several names (mov,mp4,m4a,...) is
     * allowed by any one of them.
     */
    public static final String DEMUXERS = "mov,matroska,avi,mpegts,mpeg,flv,ogg,mp3,aac,wav,flac,aiff";

    /** How long a read from storage may wait for data before the run fails instead of hanging. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private SourceInput() {}

    /**
     * The input options and {@code -i input}, for ffprobe and ffmpeg alike.
     *
     * @param storageOverTls whether storage is reached over HTTPS: an HTTP input (a local job's loopback
     *     link) redirects there, and ffmpeg refuses an option that nothing used, so that HTTPS storage
     *     is verified behind a link but a plain HTTP store (dev mode's) is read as it is
     */
    public static List<String> arguments(String input, boolean storageOverTls) {
        String protocols = protocols(input);
        List<String> arguments =
                new ArrayList<>(List.of("-protocol_whitelist", protocols, "-format_whitelist", DEMUXERS));
        String scheme = scheme(input);
        if (scheme.equals("https") || (scheme.equals("http") && storageOverTls)) {
            arguments.addAll(List.of("-tls_verify", "1"));
        }
        if (!protocols.equals("file")) {
            // A storage connection that stops answering is reconnected, then fails the run, never hangs it.
            arguments.addAll(List.of(
                    "-rw_timeout",
                    Long.toString(READ_TIMEOUT.toNanos() / 1000),
                    "-reconnect",
                    "1",
                    "-reconnect_on_network_error",
                    "1",
                    "-reconnect_delay_max",
                    "10"));
        }
        arguments.addAll(List.of("-i", input));
        return arguments;
    }

    /**
     * The protocols that reading {@code input} needs: HTTPS runs over TLS over TCP, a path is a file.
     * A plain HTTP input may be the local engine's loopback link, which redirects to storage's HTTPS.
     * Behind an egress proxy ({@code http_proxy}, which the tools inherit) HTTPS runs through the
     * proxy's tunnel, {@code httpproxy}: it reaches only that proxy, and no file can name it.
     */
    static String protocols(String input) {
        String scheme = scheme(input);
        return switch (scheme) {
            case "https" -> "https,tls,tcp,httpproxy";
            case "http" -> "http,https,tls,tcp,httpproxy";
            case "file" -> "file";
            default -> throw new IllegalArgumentException("Sources are read over HTTP(S) or from files, not " + scheme);
        };
    }

    private static String scheme(String input) {
        return input.contains("://") ? URI.create(input).getScheme().toLowerCase(Locale.ROOT) : "file";
    }
}
