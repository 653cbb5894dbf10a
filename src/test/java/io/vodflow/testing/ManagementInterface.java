package io.vodflow.testing;

import java.net.URI;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the production application serves health, metrics and the OpenAPI document: its management
 * interface, on a port of its own. Started on a random port, it names the port in its start-up line:
 * "... Management interface listening on http://0.0.0.0:43117."
 */
public final class ManagementInterface {

    private static final Pattern LISTENING =
            Pattern.compile("Management interface listening on https?://[^:/\\s\"]+:(\\d+)");

    private ManagementInterface() {}

    /** The management interface a line of the application's log names, if it names one. */
    public static Optional<URI> namedIn(String line) {
        Matcher port = LISTENING.matcher(line);
        return port.find() ? Optional.of(URI.create("http://127.0.0.1:" + port.group(1))) : Optional.empty();
    }
}
