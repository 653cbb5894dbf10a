package io.vodflow.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The one recursive delete: for working directories that vodflow made and owns alone. */
public final class Directories {

    private Directories() {}

    /**
     * Removes a directory and everything in it, deepest first; a missing directory is fine.
     *
     * @throws IOException if it could not be listed; files that cannot be removed are left
     */
    public static void delete(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        }
    }
}
